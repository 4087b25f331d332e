"""Alembic environment: migrates the connection handed over by inventory.migrate."""

from alembic import context
from sqlmodel import SQLModel

import inventory.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from inventory.db import get_engine

        url = config.get_main_option("sqlalchemy.url") or None
        with get_engine(url).connect() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `ictr db upgrade`")
run_migrations_online()
