"""Schema upgrades through Alembic, run from Python (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from inventory.db import describe_url, explain_operational_error
from inventory.errors import IctrError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to `revision`; returns the revision now in place."""
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise explain_operational_error(exc, engine.url.render_as_string(False)) from exc
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def require_current_schema(engine: Engine) -> None:
    """Refuse to read a database whose schema is missing or older than this code."""
    where = describe_url(engine.url.render_as_string(hide_password=False))
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise explain_operational_error(exc, where) from exc
    if current is None:
        raise IctrError(f"database {where} is not initialised: run `ictr init`")
    if current != head_revision():
        raise IctrError(
            f"database {where} is at revision {current}, not {head_revision()}: "
            "run `ictr db upgrade`"
        )
