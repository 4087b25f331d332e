"""Stored rounds: idempotent writes, incidents after K failed rounds, availability, the
spool when the database is locked or down, the scheduler lock, the metrics endpoint.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func
from sqlmodel import select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.models import Incident, ProbeResult
from probes.history.availability import availability
from probes.history.incidents import list_incidents
from probes.history.store import store_records
from probes.running.lock import SchedulerLock
from probes.running.metrics import ProbeMetrics
from probes.running.recording import record, replay
from probes.running.results import MethodResult, RoundResult
from probes.running.spool import Spool, default_spool_path
from tests.netns_fixtures import add_points

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def make_round(
    ids: dict[str, int], started_at: datetime, up: dict[str, bool], *, tcp: bool = False
) -> RoundResult:
    rows = []
    for code, answered in up.items():
        methods = ["icmp", "tcp"] if tcp else ["icmp"]
        for method in methods:
            # With two methods, only ICMP answers: the round still counts as up.
            got = 5 if answered and method == "icmp" else 0
            rows.append(
                MethodResult(
                    point_id=ids[code],
                    code=code,
                    name=code,
                    address="127.0.0.1",
                    method=method,
                    sent=5,
                    received=got,
                    rtt_min_ms=1.0 if got else None,
                    rtt_median_ms=2.0 if got else None,
                    rtt_max_ms=3.0 if got else None,
                    rtt_stddev_ms=0.5 if got else None,
                    error=None if got else "no answer",
                    success=bool(got),
                )
            )
    return RoundResult(
        agent="", started_at=started_at, finished_at=started_at + timedelta(seconds=3), rows=rows
    )


def store(engine, result: RoundResult, down_after: int = 2):
    return store_records(
        engine,
        agent=result.agent,
        started_at=result.started_at,
        records=result.records(),
        down_after=down_after,
    )


@pytest.fixture
def points(engine) -> dict[str, int]:
    return add_points(
        engine,
        [{"code": "A", "address": "127.10.0.1"}, {"code": "B", "address": "127.10.0.2"}],
    )


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_same_round_twice_is_stored_once(engine, points) -> None:
    result = make_round(points, T0, {"A": True, "B": False}, tcp=True)
    first = store(engine, result)
    again = store(engine, result)
    assert (first.inserted, first.duplicates) == (4, 0)
    assert (again.inserted, again.duplicates) == (0, 4)
    assert _count(engine, ProbeResult) == 4
    with session_scope(engine) as session:
        row = session.exec(
            select(ProbeResult).where(ProbeResult.method == "icmp", ProbeResult.point_id == 1)
        ).one()
        assert row.started_at == T0 and row.started_at.tzinfo is not None
        assert (row.sent, row.received, row.rtt_median_ms) == (5, 5, 2.0)


def test_incident_opens_after_k_failed_rounds_and_closes_after_one_good(engine, points) -> None:
    minute = timedelta(minutes=5)
    pattern = [True, False, False, False, True, False, True]  # point A; B always up
    opened, closed = [], []
    for i, answered in enumerate(pattern):
        report = store(engine, make_round(points, T0 + i * minute, {"A": answered, "B": True}))
        opened.append(report.incidents_opened)
        closed.append(report.incidents_closed)
    # Down after the second failed round (K=2), since the first failed round; one
    # failed round alone (index 5) opens nothing; one good round closes.
    assert opened == [0, 0, 1, 0, 0, 0, 0]
    assert closed == [0, 0, 0, 0, 1, 0, 0]
    with session_scope(engine) as session:
        incidents = session.exec(select(Incident)).all()
        assert len(incidents) == 1
        assert incidents[0].point_id == points["A"]
        assert incidents[0].down_from == T0 + minute
        assert incidents[0].up_at == T0 + 4 * minute
        views = list_incidents(session, now=T0 + 10 * minute)
    assert [(v.code, v.duration) for v in views] == [("A", 3 * minute)]


def test_replaying_an_old_round_does_not_reopen_an_incident(engine, points) -> None:
    rounds = [
        make_round(points, T0 + timedelta(minutes=i), {"A": i not in (1, 2)}) for i in range(4)
    ]
    for r in rounds:
        store(engine, r)
    for r in rounds:  # a spool replayed after a crash: everything again
        assert store(engine, r).inserted == 0
    assert _count(engine, Incident) == 1


def test_incident_needs_k_rounds_in_a_row(engine, points) -> None:
    for i in range(3):
        store(engine, make_round(points, T0 + timedelta(minutes=i), {"A": False}), down_after=3)
    with session_scope(engine) as session:
        incident = session.exec(select(Incident)).one()
        assert incident.down_from == T0 and incident.up_at is None


def test_availability_over_windows(engine, points) -> None:
    now = T0 + timedelta(days=40)
    # 10 rounds in the last 24 h, 3 of them down; two methods per round count once.
    for i in range(10):
        at = now - timedelta(hours=2 * i)
        store(engine, make_round(points, at, {"A": i not in (2, 5, 7), "B": True}, tcp=True))
    # 6 older rounds (2 to 6 days ago), all down; one 35 days ago, up.
    for day in range(2, 8):
        store(engine, make_round(points, now - timedelta(days=day), {"A": False}))
    store(engine, make_round(points, now - timedelta(days=35), {"A": True}))
    with session_scope(engine) as session:
        day = availability(session, window=timedelta(hours=24), now=now)
        week = availability(session, window=timedelta(days=7), now=now)
        month = availability(session, window=timedelta(days=30), now=now, point_ids=[1, 2, 99])
    a, b = points["A"], points["B"]
    assert (day[a].rounds, day[a].up_rounds, day[a].ratio) == (10, 7, 0.7)
    assert day[b].ratio == 1.0
    # The round exactly 7 days ago is outside (now - 7 d, now].
    assert (week[a].rounds, week[a].up_rounds) == (15, 7)
    assert (month[a].rounds, month[a].up_rounds) == (16, 7)
    assert month[99].rounds == 0 and month[99].ratio is None


def test_database_down_round_is_spooled_and_replayed_once(engine, points, tmp_path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    # Nothing listens on port 1 of loopback: the database is unreachable.
    down = create_engine("postgresql+psycopg://ictr@127.0.0.1:1/none?connect_timeout=2")
    first = make_round(points, T0, {"A": True, "B": False}, tcp=True)
    outcome = record(down, first, spool, down_after=2)
    assert not outcome.stored and "unavailable" in outcome.message
    assert spool.pending() == 1
    second = make_round(points, T0 + timedelta(minutes=5), {"A": True, "B": False})
    outcome = record(engine, second, spool, down_after=2)
    assert outcome.stored and outcome.replayed == 1
    assert spool.pending() == 0 and not spool.path.exists()
    assert _count(engine, ProbeResult) == 6
    # B failed twice in a row: the incident is opened across the spooled round.
    with session_scope(engine) as session:
        incident = session.exec(select(Incident)).one()
        assert (incident.point_id, incident.down_from) == (points["B"], T0)
    # A crash after writing but before trimming the spool: the replay duplicates nothing.
    spool.append(first)
    spool.append(second)
    assert replay(engine, spool, down_after=2) == 2
    assert _count(engine, ProbeResult) == 6 and _count(engine, Incident) == 1


@pytest.mark.sqlite_only
def test_locked_sqlite_database_spools_then_catches_up(engine, points, tmp_path, db_url) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        for i in range(2):
            result = make_round(points, T0 + timedelta(minutes=i), {"A": True, "B": True})
            outcome = record(engine, result, spool, down_after=2, write_timeout_s=0.2)
            assert not outcome.stored
            assert "locked" in outcome.message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert spool.pending() == 2 and _count(engine, ProbeResult) == 0
    third = make_round(points, T0 + timedelta(minutes=2), {"A": True, "B": True})
    outcome = record(engine, third, spool, down_after=2, write_timeout_s=0.2)
    assert outcome.stored and outcome.replayed == 2
    with session_scope(engine) as session:
        stamps = session.exec(select(ProbeResult.started_at).distinct()).all()
    assert sorted(stamps) == [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]


def test_incomplete_spool_line_is_skipped(engine, points, tmp_path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append(make_round(points, T0, {"A": True}))
    with open(spool.path, "a") as handle:
        handle.write('{"v":1,"agent":"","started')  # a crash mid-append
    assert spool.pending() == 1
    assert replay(engine, spool, down_after=2) == 1
    assert _count(engine, ProbeResult) == 1


def test_spool_path_defaults() -> None:
    assert default_spool_path("sqlite:////var/lib/ictr/ictr.sqlite") == Path(
        "/var/lib/ictr/ictr.sqlite.probe-spool.jsonl"
    )
    assert default_spool_path("sqlite:////d/x.sqlite", "north").name == (
        "x.sqlite.probe-spool-north.jsonl"
    )
    other = default_spool_path("postgresql+psycopg://u:secret@db/ictr")
    assert other.name.startswith("probe-spool-") and "secret" not in str(other)


def test_second_scheduler_on_the_same_database_is_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with SchedulerLock(url):
        with pytest.raises(IctrError) as caught:
            SchedulerLock(url).acquire()
        assert "another probe scheduler (pid " in str(caught.value)
        SchedulerLock(url, agent="north").acquire()  # another agent may run
    with SchedulerLock(url):  # released on exit
        pass


def test_metrics_use_blackbox_names(points) -> None:
    result = make_round(points, T0, {"A": True, "B": False})
    metrics = ProbeMetrics()
    metrics.update(result, spooled=3)
    port = metrics.serve(0, "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    finally:
        metrics.stop()
    assert 'probe_success{method="icmp",point="A"} 1.0' in text
    assert 'probe_success{method="icmp",point="B"} 0.0' in text
    assert 'probe_icmp_duration_seconds{phase="rtt",point="A"} 0.002' in text
    assert 'probe_loss_ratio{method="icmp",point="B"} 1.0' in text
    assert 'probe_duration_seconds{method="icmp",point="A"}' in text
    assert "ictr_probe_spooled_rounds 3.0" in text


def test_rounds_with_nothing_sent_count_neither_as_down_nor_in_availability(engine, points) -> None:
    for i in range(3):
        skipped = make_round(points, T0 + timedelta(minutes=i), {"A": False})
        for row in skipped.rows:
            row.sent, row.error = 0, "refused: 0.0.0.0 is an unspecified address"
        store(engine, skipped)
    store(engine, make_round(points, T0 + timedelta(minutes=3), {"A": True}))
    assert _count(engine, Incident) == 0
    with session_scope(engine) as session:
        figures = availability(session, window=timedelta(hours=1), now=T0 + timedelta(minutes=5))
    assert (figures[points["A"]].rounds, figures[points["A"]].ratio) == (1, 1.0)


def test_availability_command(engine, points) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    for i in range(4):
        store(engine, make_round(points, now - timedelta(hours=i + 1), {"A": i != 0, "B": True}))
    result = CliRunner().invoke(app, ["probe", "availability", "--window", "24h", "--json"])
    assert result.exit_code == 0, result.output
    figures = {p["code"]: p for p in json.loads(result.output)["points"]}
    assert (figures["A"]["rounds"], figures["A"]["ratio"]) == (4, 0.75)
    assert figures["B"]["ratio"] == 1.0
    table = CliRunner().invoke(app, ["probe", "availability", "--window", "7d"])
    assert table.exit_code == 0, table.output
    assert "75.00%" in table.output
    bad = CliRunner().invoke(app, ["probe", "availability", "--window", "week"])
    assert bad.exit_code == 2 and "bad window 'week'" in bad.output


def test_round_for_a_deleted_point_is_kept_aside(engine, points, tmp_path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    result = make_round(points, T0, {"A": True, "B": True})
    for row in result.rows:
        row.point_id = 999  # deleted while it was being probed
    outcome = record(engine, result, spool, down_after=2)
    assert not outcome.stored and "refused the round" in outcome.message
    assert spool.pending() == 0
    assert len(spool.rejected_path.read_text().splitlines()) == 1
    assert _count(engine, ProbeResult) == 0


def test_spooled_round_the_database_refuses_is_moved_aside(engine, points, tmp_path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    refused = make_round(points, T0, {"A": True})
    for row in refused.rows:
        row.point_id = 999  # deleted while the round waited in the spool
    spool.append(refused)
    waiting = json.loads(spool.path.read_text())
    outcome = record(
        engine, make_round(points, T0 + timedelta(minutes=5), {"A": True}), spool, down_after=2
    )
    assert outcome.stored and outcome.replayed == 1
    assert spool.pending() == 0 and not spool.path.exists()
    assert [json.loads(line) for line in spool.rejected_path.read_text().splitlines()] == [waiting]
    assert _count(engine, ProbeResult) == 1
