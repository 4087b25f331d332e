"""Shared fixtures: databases (empty, or holding the demo), shared data, environment checks.

In CI (CI=true) a test whose environment is missing fails instead of skipping.

Database tests (those using `db_url`, `engine` or `demo_engine`) run once on SQLite and, when
ICTR_TEST_DATABASE_URL names a PostgreSQL server (an admin URL such as
postgresql+psycopg://postgres@127.0.0.1:55432/postgres), once more on a fresh PostgreSQL database
of their own. In CI both must run. Mark a test `sqlite_only` when it is about SQLite itself.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session

from inventory.db import dispose_engines, get_engine, session_scope
from inventory.demo import load_demo
from inventory.migrate import upgrade
from inventory.models import AdminUnit, UnitLevel
from inventory.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("ICTR_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_ADMIN_URL or IN_CI else ["sqlite"]
_names = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself")
    config.addinivalue_line("markers", "postgresql_only: the test is about PostgreSQL itself")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked for one engine is not collected for the other (deselected, not skipped)."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        backend = params.params.get("db_url") if params else None
        wrong = (backend == "postgresql" and item.get_closest_marker("sqlite_only")) or (
            backend == "sqlite" and item.get_closest_marker("postgresql_only")
        )
        (drop if wrong else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class _PostgresDatabases:
    """Throw-away databases on the test server, cloned from templates for speed."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.prefix = f"ictr_test_{os.getpid()}"
        self.templates: dict[str, str] = {}

    def url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(_names)}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def template(self, kind: str) -> str:
        """A database at the newest schema ("empty") or also holding the demo ("demo")."""
        if kind not in self.templates:
            name = self.create()
            engine = get_engine(self.url(name))
            upgrade(engine)
            if kind == "demo":
                with session_scope(engine) as session:
                    load_demo(session)
            dispose_engines()
            self.templates[kind] = name
        return self.templates[kind]

    def close(self) -> None:
        for name in self.templates.values():
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres() -> Iterator[_PostgresDatabases | None]:
    if "postgresql" not in BACKENDS:
        yield None
        return
    if not PG_ADMIN_URL:
        pytest.fail("CI needs ICTR_TEST_DATABASE_URL: the PostgreSQL run of the database tests")
    databases = _PostgresDatabases(PG_ADMIN_URL)
    yield databases
    databases.close()


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; in CI a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def require_root() -> None:
    if os.geteuid() != 0:
        skip_or_fail("needs root (raw sockets, network namespaces)")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own database URL, so no test touches a user's database."""
    monkeypatch.setenv("ICTR_DATABASE_URL", f"sqlite:///{tmp_path / 'test.sqlite'}")
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    _postgres: _PostgresDatabases | None,
) -> Iterator[str]:
    """The database URL of this test (an empty file or database; ICTR_DATABASE_URL names it).

    Through `engine` or `demo_engine` the database comes ready: at the newest schema, or with
    the demo loaded.
    """
    if request.param == "sqlite":
        yield get_settings().database_url
        return
    assert _postgres is not None
    wanted = (
        "demo"
        if "demo_engine" in request.fixturenames
        else "empty"
        if "engine" in request.fixturenames
        else None
    )
    name = _postgres.create(_postgres.template(wanted) if wanted else None)
    url = _postgres.url(name)
    monkeypatch.setenv("ICTR_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines()
    _postgres.drop(name)


@pytest.fixture
def engine(db_url: str) -> Engine:
    """An empty database at the newest schema."""
    engine = get_engine(db_url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    template = get_engine(url)
    upgrade(template)
    with session_scope(template) as session:
        load_demo(session)
    template.dispose()
    return path


@pytest.fixture
def demo_engine(request: pytest.FixtureRequest, db_url: str) -> Engine:
    """A database holding the synthetic Hà Giang demo (a fresh copy for each test)."""
    if db_url.startswith("sqlite"):
        template = request.getfixturevalue("_demo_template")
        shutil.copyfile(template, Path(db_url.removeprefix("sqlite:///")))
    return get_engine(db_url)


def add_province(session: Session) -> None:
    """Hà Giang's province unit (02), committed: the parent of what a small test builds."""
    session.add(
        AdminUnit(
            code="02",
            name="Tỉnh Hà Giang",
            short_name="Hà Giang",
            unit_type="Tỉnh",
            level=UnitLevel.province,
        )
    )
    session.commit()
