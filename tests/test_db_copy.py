"""`ictr db copy`: the demo plus probe rounds, incidents and rollups moved from SQLite to
PostgreSQL, compared table by table and row by row; sequences continue after the copied
ids; a non-empty target is refused unless --force; a failed copy leaves nothing behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, inspect, select
from sqlmodel import Session
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.db_copy import copy_database, copy_tables
from inventory.errors import IctrError
from inventory.models import ConnectionPoint, Incident, ProbeResult
from inventory.settings import get_settings
from probes.history.retention import prune
from probes.history.store import store_records
from tests.conftest import skip_or_fail


@pytest.fixture
def source(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> Engine:
    """The demo in SQLite, plus probe rounds (recent ones and folded old ones), incidents."""
    path = tmp_path / "source.sqlite"
    shutil.copyfile(request.getfixturevalue("_demo_template"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("ICTR_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine(url)
    with session_scope(engine) as session:
        # Only this fixture's rounds, not the demo's 30 days of synthetic history: the
        # counts below are the fold of these rounds alone.
        session.execute(delete(ProbeResult))
        points = session.exec(select(ConnectionPoint.id)).scalars().all()[:12]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    old = (now - timedelta(days=100)).replace(minute=30)  # one hour, one day
    starts = [old - timedelta(minutes=5 * i) for i in range(6)]
    recent = (now - timedelta(hours=2)).replace(minute=30)  # an hour already summarised
    starts += [recent - timedelta(minutes=5 * i) for i in range(6)]
    for n, at in enumerate(sorted(starts)):
        records = [
            {
                "point_id": point_id,
                "agent": "",
                "method": "icmp",
                "started_at": at,
                "sent": 5,
                "received": 0 if k % 3 == 0 and n > 6 else 5 - k % 2,
                "rtt_min_ms": 1.0 + k,
                "rtt_median_ms": 1.5 + k + n / 7,
                "rtt_max_ms": 3.0 + k,
                "rtt_stddev_ms": 0.25,
                "error": "trạm chưa trả lời" if k == 3 else None,
            }
            for k, point_id in enumerate(points)
        ]
        store_records(engine, agent="", started_at=at, records=records, down_after=2)
    assert prune(engine, now=now).raw_rows == 6 * len(points)
    return engine


@pytest.fixture
def target(_postgres) -> Iterator[str]:
    """An empty PostgreSQL database (no schema yet)."""
    if _postgres is None:
        skip_or_fail("needs PostgreSQL: set ICTR_TEST_DATABASE_URL")
    name = _postgres.create()
    yield _postgres.url(name)
    get_engine(_postgres.url(name)).dispose()
    _postgres.drop(name)


def _dump(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in copy_tables()
        }


def test_sqlite_to_postgresql_copies_every_row(source: Engine, target: str) -> None:
    report = copy_database(source, target)
    original, copied = _dump(source), _dump(get_engine(target))
    assert {t: len(rows) for t, rows in copied.items()} == report.rows
    assert report.rows["computer"] == len(original["computer"]) > 1000
    assert report.rows["connection_point"] == len(original["connection_point"]) > 50
    # Both hours are summarised; the old one's raw rows are folded into its day.
    assert report.rows["probe_result"] == 72 and report.rows["probe_hourly"] == 24
    assert report.rows["incident"] > 0 and report.rows["probe_daily"] == 12
    for table in original:
        assert copied[table] == original[table], table
    # Next ids follow the copied ones.
    with Session(get_engine(target)) as session:
        point = session.exec(select(ConnectionPoint).limit(1)).scalars().one()
        session.add(
            ProbeResult(
                point_id=point.id, method="icmp", started_at=datetime.now(UTC), sent=1, received=1
            )
        )
        session.add(Incident(point_id=point.id, down_from=datetime.now(UTC)))
        session.commit()
        assert session.execute(select(func.max(ProbeResult.id))).scalar() == 1 + max(
            row[0] for row in original["probe_result"]
        )
        assert session.execute(select(func.count()).select_from(Incident)).scalar() == (
            report.rows["incident"] + 1
        )


def test_a_non_empty_target_needs_force(source: Engine, target: str) -> None:
    copy_database(source, target)
    with pytest.raises(IctrError) as caught:
        copy_database(source, target)
    assert "is not empty: admin_unit (" in str(caught.value)
    assert str(caught.value).endswith("use --force to replace its contents")
    with session_scope(source) as session:
        session.execute(ConnectionPoint.__table__.update().values(agent="north"))
    report = copy_database(source, target, force=True)
    assert report.replaced["computer"] == report.rows["computer"] > 1000
    assert _dump(get_engine(target)) == _dump(source)


def test_a_failed_copy_leaves_the_target_untouched(source: Engine, target: str) -> None:
    def fail_after_computers(table: str, rows: int) -> None:
        if table == "computer":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        copy_database(source, target, progress=fail_after_computers)
    # Schema and rows were one transaction: nothing is left, not even the tables.
    assert inspect(get_engine(target)).get_table_names() == []
    copy_database(source, target)  # and a retry starts from clean


def test_copy_command(source: Engine, target: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "copy", "--to", target])
    assert result.exit_code == 0, result.output
    assert "copied " in result.output and " rows in " in result.output
    assert "connection_point" in result.output  # progress, one line per table
    result = runner.invoke(app, ["db", "copy", "--to", target])
    assert result.exit_code == 2
    assert "is not empty" in result.output and "--force" in result.output
    result = runner.invoke(app, ["db", "copy", "--to", target, "--force"])
    assert result.exit_code == 0, result.output
    assert "(replacing " in result.output
    result = runner.invoke(app, ["db", "copy", "--to", get_settings().database_url])
    assert result.exit_code == 2
    assert "source and target are the same database" in result.output


def test_the_copy_is_one_snapshot_of_the_source(source: Engine, target: str) -> None:
    """An agent storing a round during the copy: the round is in the source, not the copy."""
    before = _dump(source)
    with session_scope(source) as session:
        point = session.exec(select(ConnectionPoint.id)).scalars().first()

    def agent_writes(table: str, rows: int) -> None:
        if table == "admin_unit":  # copied first; probe_result comes later
            records = [
                {"point_id": point, "agent": "", "method": "icmp", "started_at": datetime.now(UTC),
                 "sent": 5, "received": 5, "rtt_min_ms": 1.0, "rtt_median_ms": 1.0,
                 "rtt_max_ms": 1.0, "rtt_stddev_ms": 0.0, "error": None}
            ]  # fmt: skip
            store_records(
                source, agent="", started_at=records[0]["started_at"], records=records,
                down_after=2, write_timeout_s=5,
            )  # fmt: skip

    copy_database(source, target, progress=agent_writes)
    assert _dump(get_engine(target)) == before
    assert len(_dump(source)["probe_result"]) == len(before["probe_result"]) + 1
