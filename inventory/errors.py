"""Errors a user can act on: the CLI and the dashboard show their message as one line."""


class IctrError(Exception):
    """A user-facing failure (bad configuration, bad input, unreachable database).

    Its message stays one line whatever it quotes: a file or sheet name can hold a line break.
    """

    def __str__(self) -> str:
        return " ".join(super().__str__().splitlines())
