"""The `ictr` command: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import logging
from typing import Any

import typer
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from ictr.cli import (
    boundaries,
    certificates,
    database,
    db_maintenance,
    editor_password,
    export,
    history,
    imports,
    indicators,
    plan,
    serve,
    units,
    users,
    websites,
)
from ictr.cli import probe as probe_cli
from inventory.db import explain_operational_error
from inventory.errors import IctrError
from inventory.settings import get_settings


class _FriendlyGroup(TyperGroup):
    """User mistakes end in one line on stderr and exit code 2, never a traceback."""

    # typer >= 0.24 carries its own copy of click, whose Context is private to it: `Any` keeps
    # this override valid for every typer version pyproject.toml admits.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IctrError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except OperationalError as exc:
            message = explain_operational_error(exc, get_settings().database_url)
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_FriendlyGroup,
    help="ICT Readiness Tracker: inventory, network probes and readiness of a province.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _configure() -> None:
    try:
        level = get_settings().log_level
    except IctrError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":  # Alembic narrates every migration context at INFO
        logging.getLogger("alembic").setLevel(logging.WARNING)


database.register(app)
db_maintenance.register(app)
serve.register(app)
indicators.register(app)
imports.register(app)
boundaries.register(app)
probe_cli.register(app)
export.register(app)
certificates.register(app)
plan.register(app)
editor_password.register(app)
units.register(app)
websites.register(app)
users.register(app)
history.register(app)


def run() -> None:
    app()
