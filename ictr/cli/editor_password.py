"""`ictr hash-password`: make the editor password hash the dashboard checks sign-ins against."""

from __future__ import annotations

import typer

from dashboard.auth import HASH_SETTING, hash_password
from inventory.errors import IctrError


def hash_password_command(
    password: str = typer.Option(
        ...,
        "--password",
        prompt="Editor password",
        confirmation_prompt=True,
        hide_input=True,
        help="The password (asked for, hidden, when not given).",
    ),
) -> None:
    """Print the salted scrypt hash of an editor password, to put in ICTR_EDITOR_PASSWORD_HASH
    (or in .streamlit/secrets.toml). The password itself is stored nowhere."""
    try:
        encoded = hash_password(password)
    except ValueError as exc:
        raise IctrError(str(exc)) from None
    typer.echo(f"{HASH_SETTING}={encoded}")


def register(app: typer.Typer) -> None:
    app.command("hash-password")(hash_password_command)
