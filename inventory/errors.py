"""Errors a user can act on: the CLI and the dashboard show their message as one line."""


class IctrError(Exception):
    """A user-facing failure (bad configuration, bad input, unreachable database)."""
