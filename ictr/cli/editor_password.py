"""`ictr hash-password`: make the editor password hash the dashboard checks sign-ins against.

The password is never a command-line argument: arguments are visible to every user of the
machine (`ps`, /proc/PID/cmdline) and kept in shell history. It is asked for, hidden and
twice, on a terminal; a script pipes it in on standard input instead.
"""

from __future__ import annotations

import sys

import typer

from inventory.errors import IctrError
from inventory.passwords import HASH_SETTING, hash_password


def read_password(prompt: str = "Editor password", *, from_stdin: bool | None = None) -> str:
    """A password asked for (hidden, twice) on a terminal, or one line of standard input;
    `from_stdin` True reads standard input even on a terminal, False refuses it."""
    if from_stdin is None:
        from_stdin = not sys.stdin.isatty()
    if not from_stdin:
        if not sys.stdin.isatty():
            raise IctrError("no terminal to ask for the password: pipe it and add --password-stdin")
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True, err=True))
    line = sys.stdin.readline()
    if not line:
        raise IctrError("no password on standard input (pipe one line, or run on a terminal)")
    return line.removesuffix("\n").removesuffix("\r")


def hash_password_command() -> None:
    """Print the salted scrypt hash of an editor password, to put in ICTR_EDITOR_PASSWORD_HASH
    (or in .streamlit/secrets.toml). The password is asked for (hidden, twice) or read as one
    line from standard input, never taken as an argument; it is stored nowhere."""
    password = read_password()
    try:
        encoded = hash_password(password)
    except ValueError as exc:
        raise IctrError(str(exc)) from None
    typer.echo(f"{HASH_SETTING}={encoded}")


def register(app: typer.Typer) -> None:
    app.command("hash-password")(hash_password_command)
