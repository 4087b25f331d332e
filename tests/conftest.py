"""Shared fixtures: databases (empty, or holding the demo), shared data, environment checks.

In CI (CI=true) a test whose environment is missing fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from inventory.db import dispose_engines, get_engine, session_scope
from inventory.demo import load_demo
from inventory.migrate import upgrade
from inventory.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"


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


@pytest.fixture
def db_url() -> str:
    return get_settings().database_url


@pytest.fixture
def engine(db_url: str) -> Engine:
    """An empty database at the newest schema."""
    engine = get_engine(db_url)
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
def demo_engine(_demo_template: Path, db_url: str) -> Engine:
    """A database holding the synthetic Hà Giang demo (a fresh copy for each test)."""
    target = Path(db_url.removeprefix("sqlite:///"))
    shutil.copyfile(_demo_template, target)
    return get_engine(db_url)
