"""`ictr users`: the dashboard's accounts (add, set-password, disable, enable, list).

Passwords are never arguments (visible in `ps` and kept in shell history): asked for on a
terminal, hidden and twice, or piped as one line with --password-stdin.
"""

from __future__ import annotations

import json

import typer
from sqlalchemy import Engine

from ictr.cli.editor_password import read_password
from inventory import accounts
from inventory.actor import Role
from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.models import User

users_app = typer.Typer(
    help="Accounts of the dashboard: viewers, editors of a unit, admins.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password as one line from standard input."
)


def _role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise IctrError(f"--role {text!r}: use {', '.join(Role)}") from None


def _engine() -> Engine:
    engine = get_engine()
    require_current_schema(engine)
    return engine


def add(
    name: str = typer.Argument(..., help="Username: lower-case letters, digits, . - _"),
    role: str = typer.Option(..., "--role", help="viewer, editor or admin."),
    scope: str | None = typer.Option(
        None, "--scope", help="Unit code an editor may change (e.g. 026); default: all."
    ),
    display_name: str = typer.Option("", "--display-name", help="Full name, for the history."),
    email: str | None = typer.Option(
        None, "--email", help="E-mail address the single sign-on reports for this user."
    ),
    password_stdin: bool = PASSWORD_STDIN,
    sso_only: bool = typer.Option(
        False, "--sso-only", help="No password: the user signs in only by single sign-on."
    ),
) -> None:
    """Add an account. The first admin is made this way; there is no default account."""
    the_role = _role(role)
    accounts.check_username(name)
    if sso_only and password_stdin:
        raise IctrError("--sso-only takes no password: leave out --password-stdin")
    password = None if sso_only else read_password("Password", from_stdin=password_stdin)
    with session_scope(_engine()) as session:
        user = accounts.add_user(
            session,
            username=name,
            role=the_role,
            scope=scope.strip() if scope else None,
            password=password,
            display_name=display_name,
            email=email,
        )
        where = f" of unit {user.scope_code}" if user.scope_code else ""
        done = f"added {user.role} {user.username!r}{where}"
    typer.echo(done)


def set_password(
    name: str = typer.Argument(..., help="Username."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Give an account a new password; its dashboard sessions end."""
    password = read_password("New password", from_stdin=password_stdin)
    with session_scope(_engine()) as session:
        accounts.set_password(session, name, password)
    typer.echo(f"password of {name!r} changed")


def disable(name: str = typer.Argument(..., help="Username.")) -> None:
    """Stop an account from signing in (its sessions end); it stays in the history."""
    with session_scope(_engine()) as session:
        accounts.set_active(session, name, False)
    typer.echo(f"{name!r} disabled")


def enable(name: str = typer.Argument(..., help="Username.")) -> None:
    """Let a disabled account sign in again."""
    with session_scope(_engine()) as session:
        accounts.set_active(session, name, True)
    typer.echo(f"{name!r} enabled")


def _record(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": str(user.role),
        "scope": user.scope_code,
        "active": user.active,
        "password": user.password_hash is not None,
        "created_at": user.created_at.isoformat(timespec="seconds"),
    }


def list_command(
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Every account: role, scope, active or not (never a password or its hash)."""
    if output_format not in ("table", "json"):
        raise IctrError(f"--format {output_format!r}: use table or json")
    with session_scope(_engine()) as session:
        records = [_record(u) for u in accounts.list_users(session)]
    if output_format == "json":
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not records:
        typer.echo("no users yet: ictr users add NAME --role admin")
        return
    columns = ["username", "role", "scope", "active", "display_name", "email"]
    rows = [[str(r[c] if r[c] is not None else "") for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(columns)]
    for row in [columns, *rows]:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def register(app: typer.Typer) -> None:
    users_app.command("add")(add)
    users_app.command("set-password")(set_password)
    users_app.command("disable")(disable)
    users_app.command("enable")(enable)
    users_app.command("list")(list_command)
    app.add_typer(users_app, name="users")
