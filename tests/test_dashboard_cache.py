"""The page caches: shared between runs while the database is unchanged, recomputed on the
next run after anything is written to it, by this process or another one."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine, text
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard import page_cache
from dashboard.data_version import data_version
from inventory.db import get_engine, session_scope
from inventory.models import Agency, AgencyKind
from readiness.geometry import ensure_approximate_boundaries
from tests.conftest import PROJECT_ROOT
from tests.dashboard_fixtures import (  # noqa: F401 (fixtures used by name)
    add_probe_rounds,
    utc_now,
)

POINTS_UP = "Điểm kết nối hoạt động"
AGENCIES = "Cơ quan, đơn vị"


@pytest.fixture
def map_demo(demo_engine: Engine) -> Iterator[Engine]:
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
    st.cache_data.clear()
    yield demo_engine
    st.cache_data.clear()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The levels `load_map_data` was called for: each call is a cache miss."""
    calls: list[str] = []
    original = page_cache.load_map_data

    def counted(session, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["level"])
        return original(session, **kwargs)

    monkeypatch.setattr(page_cache, "load_map_data", counted)
    return calls


def _write_from_another_process(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO scratch (x) VALUES (1)"))
    engine.dispose()


def test_the_version_moves_on_a_commit_only(engine: Engine) -> None:
    first = data_version(engine)
    with session_scope(engine) as session:
        session.exec(select(Agency)).all()
    if engine.dialect.name == "sqlite":  # PostgreSQL's moves with any write on the server
        assert data_version(engine) == first  # reading changes nothing
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (x INTEGER)"))
    second = data_version(engine)
    assert second is not None and second != first
    # A commit by another process counts too (the command line, a probe agent).
    process = multiprocessing.get_context("spawn").Process(
        target=_write_from_another_process, args=(engine.url.render_as_string(False),)
    )
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert data_version(engine) != second


def run_map(app: AppTest | None = None) -> AppTest:
    if app is None:
        app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_a_change_in_the_database_shows_on_the_next_run(map_demo: Engine, loads: list[str]) -> None:
    app = run_map()
    assert metrics(app)[POINTS_UP] == "0/73"
    run_map(app)
    if map_demo.dialect.name == "sqlite":  # on PostgreSQL, other databases' writes count
        # The map opens on the demo's last day: today's communes.
        assert loads == ["commune"], "an unchanged database is read once"
    before = metrics(app)[AGENCIES]
    # Probe rounds arrive (an agent's own connection), and a new agency is imported.
    add_probe_rounds(map_demo, now=utc_now())
    with session_scope(map_demo) as session:
        session.add(Agency(code="NEW-1", name="Cơ quan mới", kind=AgencyKind.other, unit_code="02"))
    app = run_map(app)
    assert metrics(app)[POINTS_UP] == "1/73"
    assert int(metrics(app)[AGENCIES].replace(".", "")) == int(before.replace(".", "")) + 1
    assert len(loads) >= 2
