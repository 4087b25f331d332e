"""The database engine and sessions, and nothing else.

SQLite is the embedded default; the same code runs on PostgreSQL given a
``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from inventory.errors import IctrError
from inventory.private_files import create_private_file

# Several writers (probe scheduler, importer, dashboard) share one SQLite file:
# wait this long for a lock before giving up, rather than failing at once.
SQLITE_BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise IctrError(
            f"bad database URL {url!r}: expected e.g. sqlite:///path/ictr.sqlite "
            "or postgresql+psycopg://user@host/db"
        ) from None


def describe_url(url: str) -> str:
    """The URL without its password, for logs and status output."""
    return _parse(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process; the default URL comes from settings."""
    if url is None:
        from inventory.settings import get_settings

        url = get_settings().database_url
    if url in _engines:
        return _engines[url]
    parsed = _parse(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # Ours to create, so private (SQLite gives its -wal and -shm files the mode of
            # the database file); created empty, which SQLite takes as an empty database.
            try:
                create_private_file(Path(database))
            except OSError as exc:
                raise IctrError(
                    f"cannot create database file {database}: {exc.strerror or exc}"
                ) from None
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise IctrError(f"cannot use database URL {describe_url(url)}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise IctrError(
            f"database driver {exc.name!r} is not installed for {describe_url(url)} "
            "(for PostgreSQL: pip install 'ictr[postgres]')"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _engines[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def explain_operational_error(exc: OperationalError, url: str) -> IctrError:
    """Turn a driver error into one line a user can act on."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    where = describe_url(url)
    if "locked" in text:
        return IctrError(f"database {where} is locked by another process; try again later")
    if "unable to open" in text:
        return IctrError(f"cannot open database {where}: check the path and its permissions")
    return IctrError(f"database {where} is unavailable: {text.strip().splitlines()[0]}")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    session = Session(engine)
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise explain_operational_error(exc, engine.url.render_as_string(False)) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
