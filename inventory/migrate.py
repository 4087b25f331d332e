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
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                # Batch mode rebuilds a table by dropping it, which foreign keys forbid for a
                # table others point at (admin_unit in 0007). The pragma only takes effect
                # outside a transaction; the check below stands in for it.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise IctrError(
                                f"upgrade broke {len(broken)} references "
                                f"(first: table {broken[0][0]}, row {broken[0][1]})"
                            )
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
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
