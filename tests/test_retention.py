"""Retention: raw rounds past the window folded into hourly and daily aggregates (exact
figures), availability and indicators unchanged by a prune, idempotence, late rounds merged,
the hourly horizon, pruning while an agent writes, the CLI and the scheduler.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.models import ConnectionPoint, Meta, ProbeDaily, ProbeHourly, ProbeResult
from probes.history.availability import availability
from probes.history.pg_lock import AdvisoryLock
from probes.history.retention import HOURLY_HORIZON_KEY, Retention, prune
from probes.history.rollup_build import bucket_start, quantile
from probes.history.rollup_read import rolled_up
from probes.history.store import store_records
from readiness.indicators.point_counts import point_counts
from tests.conftest import skip_or_fail
from tests.netns_fixtures import add_points

NOW = datetime(2025, 6, 1, 10, 30, tzinfo=UTC)
OLD = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)  # 120 days before NOW
KEEP_10 = Retention(keep_raw=timedelta(days=10), keep_hourly=timedelta(days=60))


def row(point_id: int, at: datetime, *, method="icmp", sent=5, received=5, rtt=None, agent=""):
    median = rtt if received else None
    return {
        "point_id": point_id,
        "agent": agent,
        "method": method,
        "started_at": at,
        "sent": sent,
        "received": received,
        "rtt_min_ms": None if median is None else median - 0.5,
        "rtt_median_ms": median,
        "rtt_max_ms": None if median is None else median + 1.0,
        "rtt_stddev_ms": None,
        "error": None,
    }


def put(engine, rows, agent: str = "") -> None:
    by_round: dict[datetime, list] = {}
    for r in rows:
        by_round.setdefault(r["started_at"], []).append(r)
    for at, records in sorted(by_round.items()):
        store_records(engine, agent=agent, started_at=at, records=records, down_after=2)


def fetch(engine, model) -> list:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(model)).all())


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def points(engine) -> dict[str, int]:
    return add_points(
        engine,
        [{"code": "A", "address": "127.10.0.1"}, {"code": "B", "address": "127.10.0.2"}],
    )


def test_quantile_interpolates_like_percentile_cont() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert quantile(values, 0.5) == 3.0
    assert quantile(values, 0.9) == pytest.approx(7.6)
    assert quantile([2.0, 4.0], 0.5) == 3.0
    assert quantile([7.0], 0.9) == 7.0


def test_old_rounds_become_exact_hourly_and_daily_aggregates(engine, points) -> None:
    a, b = points["A"], points["B"]
    rows = []
    # Hour 08:00 of A: 5 rounds, ICMP + TCP each; round 3 fully down, TCP never answers.
    rtts = [1.0, 2.0, 3.0, None, 10.0]
    for i, rtt in enumerate(rtts):
        at = OLD + timedelta(minutes=5 * i)
        rows.append(row(a, at, received=0 if rtt is None else 5, rtt=rtt))
        rows.append(row(a, at, method="tcp", sent=2, received=0))
    # Hour 09:00 of A: one round, 3 of 5 replies.
    rows.append(row(a, OLD + timedelta(hours=1), received=3, rtt=4.0))
    # B: one round with nothing sent (refused address), one good; next day one good.
    rows.append(row(b, OLD, sent=0, received=0))
    rows.append(row(b, OLD + timedelta(minutes=5), rtt=20.0))
    rows.append(row(b, OLD + timedelta(days=1), rtt=30.0))
    # Recent rounds stay raw.
    recent = [row(a, NOW - timedelta(days=1), rtt=1.0), row(b, NOW - timedelta(hours=2), rtt=2.0)]
    put(engine, rows + recent)

    report = prune(engine, now=NOW)  # 90 days of raw rounds
    assert report.raw_before == datetime(2025, 3, 3, tzinfo=UTC)
    assert report.raw_rows == len(rows) and report.days == ["2025-02-01", "2025-02-02"]
    assert count(engine, ProbeResult) == len(recent)

    hourly = {(h.point_id, h.period_start): h for h in fetch(engine, ProbeHourly)}
    daily = {(d.point_id, d.period_start): d for d in fetch(engine, ProbeDaily)}
    # Every hour is summarised, the recent ones too (their raw rows stay).
    assert set(hourly) == {
        (a, OLD),
        (a, OLD + timedelta(hours=1)),
        (b, OLD),
        (b, OLD + timedelta(days=1)),
        (a, bucket_start(NOW - timedelta(days=1), "hour")),
        (b, bucket_start(NOW - timedelta(hours=2), "hour")),
    }
    assert report.hourly_written == 6 and set(daily) == {
        (a, datetime(2025, 2, 1, tzinfo=UTC)),
        (b, datetime(2025, 2, 1, tzinfo=UTC)),
        (b, datetime(2025, 2, 2, tzinfo=UTC)),
    }
    h = hourly[a, OLD]
    assert (h.rounds, h.up_rounds, h.results, h.good_results) == (5, 4, 10, 4)
    assert (h.sent, h.received, h.rtt_count) == (35, 20, 4)
    assert (h.rtt_min_ms, h.rtt_median_ms, h.rtt_max_ms) == (0.5, 2.5, 11.0)
    assert h.rtt_p90_ms == pytest.approx(7.9)  # 3 + 0.7 * (10 - 3)
    assert h.period_start.tzinfo is not None and h.agent == ""

    day_a = daily[a, datetime(2025, 2, 1, tzinfo=UTC)]
    assert (day_a.rounds, day_a.up_rounds, day_a.results, day_a.good_results) == (6, 5, 11, 5)
    assert (day_a.sent, day_a.received, day_a.rtt_count) == (40, 23, 5)
    assert day_a.rtt_median_ms == 3.0 and day_a.rtt_p90_ms == pytest.approx(7.6)
    day_b = daily[b, datetime(2025, 2, 1, tzinfo=UTC)]
    # The round with nothing sent is a result row, not a round.
    assert (day_b.rounds, day_b.up_rounds, day_b.results, day_b.good_results) == (1, 1, 2, 1)
    assert (day_b.rtt_min_ms, day_b.rtt_median_ms, day_b.rtt_max_ms) == (19.5, 20.0, 21.0)
    assert daily[b, datetime(2025, 2, 2, tzinfo=UTC)].rtt_median_ms == 30.0


def _availability(engine, window: timedelta, now: datetime = NOW) -> dict[int, tuple[int, int]]:
    with session_scope(engine) as session:
        found = availability(session, window=window, now=now)
    return {point: (a.rounds, a.up_rounds) for point, a in found.items()}


def _history(engine, points: dict[str, int], days: int) -> list[dict]:
    """A round every 2 hours for `days` days before NOW; A down one round in three."""
    rows = []
    for i in range(days * 12):
        at = NOW - timedelta(hours=2 * i + 1)
        rows.append(row(points["A"], at, received=0 if i % 3 == 0 else 5, rtt=1.0 + i % 7))
        rows.append(row(points["A"], at, method="tcp", sent=1, received=int(i % 3 > 0), rtt=3.0))
        rows.append(row(points["B"], at, rtt=2.0 + i % 5))
    put(engine, rows)
    return rows


def test_availability_and_indicators_are_the_same_after_a_prune(engine, points) -> None:
    _history(engine, points, days=40)
    windows = [timedelta(days=d) for d in (1, 7, 20, 30, 45)]
    before = [_availability(engine, w) for w in windows]
    at = (NOW - timedelta(days=1)).date()  # a finished day: the windows end at its midnight
    with session_scope(engine) as session:
        counts_before = point_counts(session, at=at).set_index("point_id")

    report = prune(engine, now=NOW, retention=KEEP_10)
    assert report.raw_rows > 0 and count(engine, ProbeHourly) > 0
    after = [_availability(engine, w) for w in windows]
    assert after == before
    assert before[3][points["A"]] == (360, 240)  # 30 days: one round in three down
    with session_scope(engine) as session:
        counts_after = point_counts(session, at=at).set_index("point_id")
    for column in ("rounds_24h", "good_24h", "rounds_7d", "good_7d", "sent_7d", "received_7d"):
        assert counts_after[column].tolist() == counts_before[column].tolist(), column
    # The 30-day window reaches 20 days past the raw retention; rounds that old are now
    # aggregates. Window edges are whole hours either way (rounds start at odd hours).
    assert counts_after["rounds_30d"].tolist() == counts_before["rounds_30d"].tolist()
    assert counts_after["good_30d"].tolist() == counts_before["good_30d"].tolist()


def test_indicator_availability_after_a_prune(demo_engine) -> None:
    from readiness.table import readiness_table

    with session_scope(demo_engine) as session:  # only this test's rounds: not the demo's
        session.execute(delete(ProbeResult))
    with session_scope(demo_engine) as session:
        points = session.exec(select(ConnectionPoint).where(ConnectionPoint.active)).all()
        chosen = [(p.id, p.agent) for p in points[:10]]
    today = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    for point_id, agent in chosen:
        for day in range(1, 29):
            at = today - timedelta(days=day, minutes=30)
            rows.append(row(point_id, at, received=0 if day % 4 == 0 else 5, rtt=5.0, agent=agent))
    put(demo_engine, rows)
    at = date.today()
    with session_scope(demo_engine) as session:
        before = readiness_table(session, level="commune", at=at).set_index("code")
    report = prune(
        demo_engine,
        retention=Retention(keep_raw=timedelta(days=8), keep_hourly=timedelta(days=8)),
    )
    assert report.raw_rows > 0 and report.hourly_dropped > 0
    with session_scope(demo_engine) as session:
        after = readiness_table(session, level="commune", at=at).set_index("code")
    column = "availability_30d_pct"
    assert before[column].notna().any()
    assert after[column].fillna(-1).tolist() == before[column].fillna(-1).tolist()


def test_prune_is_idempotent_and_merges_late_rounds(engine, points) -> None:
    a = points["A"]
    put(engine, [row(a, OLD + timedelta(minutes=m), rtt=float(m)) for m in (0, 10, 20)])
    first = prune(engine, now=NOW)
    again = prune(engine, now=NOW)
    assert (first.raw_rows, again.raw_rows, again.hourly_written) == (3, 0, 0)
    # A round of that hour arrives late (an agent's spool, after a long outage).
    put(engine, [row(a, OLD + timedelta(minutes=30), received=0)])
    put(engine, [row(a, OLD + timedelta(minutes=40), rtt=40.0)])
    late = prune(engine, now=NOW)
    assert late.raw_rows == 2 and count(engine, ProbeResult) == 0
    [h], [d] = fetch(engine, ProbeHourly), fetch(engine, ProbeDaily)
    for bucket in (h, d):
        assert (bucket.rounds, bucket.up_rounds, bucket.results, bucket.rtt_count) == (5, 4, 5, 4)
        assert (bucket.rtt_min_ms, bucket.rtt_max_ms) == (-0.5, 41.0)
        # Merged median: (10 * 3 + 40 * 1) / 4, weighted by the RTT counts.
        assert bucket.rtt_median_ms == pytest.approx(17.5)


def test_hourly_aggregates_give_way_to_daily_ones(engine, points) -> None:
    _history(engine, points, days=40)
    midnight = NOW.replace(hour=0, minute=0)
    windows = [timedelta(days=d) for d in (7, 20, 30, 40)]
    before = [_availability(engine, w, midnight) for w in windows]
    before_edge = _availability(engine, timedelta(days=40))
    report = prune(engine, now=NOW, retention=Retention(timedelta(days=8), timedelta(days=15)))
    assert report.hourly_dropped > 0
    [horizon] = [m for m in fetch(engine, Meta) if m.key == HOURLY_HORIZON_KEY]
    with session_scope(engine) as session:
        oldest_hourly = session.exec(select(func.min(ProbeHourly.period_start))).one()
    assert horizon.value == "2025-05-17T00:00:00+00:00"
    assert oldest_hourly == datetime(2025, 5, 17, 1, tzinfo=UTC)  # rounds at odd hours
    # Windows starting at a UTC midnight: raw, hourly and daily rows add up exactly.
    assert [_availability(engine, w, midnight) for w in windows] == before
    # A window starting mid-day counts a daily bucket only when the bucket starts inside
    # it: 40 days before 10:30 leave out the first day's 7 rounds (11:30 to 23:30).
    after_edge = _availability(engine, timedelta(days=40))
    assert after_edge[points["B"]][0] == before_edge[points["B"]][0] - 7


def test_other_agents_rounds_are_folded_separately(engine, points) -> None:
    a = points["A"]
    put(engine, [row(a, OLD, rtt=1.0)])
    put(engine, [row(a, OLD, received=0, agent="hq")], agent="hq")
    prune(engine, now=NOW)
    with session_scope(engine) as session:
        own = rolled_up(session, since=OLD - timedelta(days=1), until=NOW)
        hq = rolled_up(session, since=OLD - timedelta(days=1), until=NOW, agent="hq")
    assert (own[a].rounds, own[a].up_rounds) == (1, 1)
    assert (hq[a].rounds, hq[a].up_rounds) == (1, 0)


def test_prune_while_an_agent_writes_counts_every_row_once(engine, points) -> None:
    """Late rounds for the very days being folded are written during the prune: each row
    ends up either still raw or in exactly one hourly and one daily aggregate."""
    a, b = points["A"], points["B"]
    rows = [row(p, OLD + timedelta(minutes=7 * i), rtt=1.0) for i in range(300) for p in (a, b)]
    put(engine, rows)
    late = [row(a, OLD + timedelta(minutes=7 * i + 3), rtt=2.0) for i in range(150)]
    failures: list[BaseException] = []

    def agent() -> None:
        try:
            for r in late:
                put(engine, [r])
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    writer = threading.Thread(target=agent)
    writer.start()
    reports = []
    while writer.is_alive():
        reports.append(prune(engine, now=NOW, chunk_points=1))
    writer.join()
    reports.append(prune(engine, now=NOW, chunk_points=1))
    assert not failures
    assert count(engine, ProbeResult) == 0
    total = len(rows) + len(late)
    with session_scope(engine) as session:
        hourly = session.exec(select(func.sum(ProbeHourly.results))).one()
        daily = session.exec(select(func.sum(ProbeDaily.results))).one()
        rounds = session.exec(select(func.sum(ProbeDaily.rounds))).one()
    assert hourly == daily == total
    assert rounds == total  # every row here is its own round
    assert sum(r.raw_rows for r in reports) == total


@pytest.fixture
def pg_engine(_postgres):
    """A PostgreSQL database at the newest schema (SQLite has no advisory locks)."""
    if _postgres is None:
        skip_or_fail("needs PostgreSQL: set ICTR_TEST_DATABASE_URL")
    name = _postgres.create(_postgres.template("empty"))
    engine = get_engine(_postgres.url(name))
    yield engine
    engine.dispose()
    _postgres.drop(name)


def test_one_prune_at_a_time_on_postgresql(pg_engine) -> None:
    a = add_points(pg_engine, [{"code": "A", "address": "127.10.0.1"}])["A"]
    put(pg_engine, [row(a, OLD, rtt=1.0)])
    holder = AdvisoryLock(pg_engine, "ictr db prune")
    assert holder.try_acquire()
    try:
        report = prune(pg_engine, now=NOW)
        assert report.skipped == "another prune is running on this database"
        assert count(pg_engine, ProbeResult) == 1
    finally:
        holder.release()
    assert prune(pg_engine, now=NOW).raw_rows == 1


@pytest.mark.parametrize(
    ("keep_raw", "keep_hourly", "message"),
    [
        (3, 365, "raw rounds must be kept at least 8 days (the 7-day median RTT and each "
         "point's latest status read them), got 3 days"),
        (90, 30, "hourly aggregates (30 days) must be kept at least as long as raw rounds "
         "(90 days)"),
    ],
)  # fmt: skip
def test_bad_retention_is_refused(keep_raw: int, keep_hourly: int, message: str) -> None:
    with pytest.raises(IctrError) as caught:
        Retention(timedelta(days=keep_raw), timedelta(days=keep_hourly))
    assert str(caught.value) == message


def test_prune_command(engine, points) -> None:
    a = points["A"]
    old = datetime.now(UTC) - timedelta(days=100)
    put(engine, [row(a, old, rtt=1.0), row(a, datetime.now(UTC) - timedelta(days=1), rtt=1.0)])
    runner = CliRunner()
    before = datetime.now(UTC)
    result = runner.invoke(app, ["db", "prune", "--json"])
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    # Both rounds' hours are summarised; the old one is folded into its day and deleted.
    assert (figures["raw_rows"], figures["hourly_written"], figures["daily_written"]) == (1, 2, 1)
    assert figures["hourly_through"] in {
        bucket_start(moment - timedelta(minutes=10), "hour").isoformat()
        for moment in (before, after)
    }
    result = runner.invoke(app, ["db", "prune"])
    assert result.exit_code == 0, result.output
    assert ": 0 hourly aggregates; " in result.output
    assert "0 rows folded into 0 daily aggregates" in result.output
    result = runner.invoke(app, ["db", "prune", "--keep-raw", "3d"])
    assert result.exit_code == 2
    assert "error: raw rounds must be kept at least 8 days" in result.output
    result = runner.invoke(app, ["db", "prune", "--keep-raw", "ninety"])
    assert result.exit_code == 2
    assert "error: bad window 'ninety'" in result.output


def test_scheduler_runs_the_retention_between_rounds(
    engine, points, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a server database's lock
    a = points["A"]
    old = datetime.now(UTC) - timedelta(days=12)
    put(engine, [row(a, old, rtt=1.0)])
    command = [
        "probe", "schedule", "--points", "A", "--method", "tcp-connect", "--count", "1",
        "--timeout", "0.2", "--interval", "1s", "--rounds", "3",
        "--keep-raw", "10d", "--keep-hourly", "60d", "--spool", str(tmp_path / "spool"),
    ]  # fmt: skip
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    # Started after the first round, the retention had the next two to fold the old round.
    daily = [(d.point_id, d.period_start, d.rounds) for d in fetch(engine, ProbeDaily)]
    assert daily == [(a, bucket_start(old, "day"), 1)]
    starts = {r.started_at for r in fetch(engine, ProbeResult)}
    assert len(starts) == 3 and all(s > old + timedelta(days=11) for s in starts)


def test_trend_reads_raw_rows_and_aggregates_alike(engine, points) -> None:
    from probes.history.trends import point_trend

    a = points["A"]
    rows = [row(a, OLD + timedelta(minutes=10 * i), rtt=float(i)) for i in range(12)]
    rows.append(row(a, OLD + timedelta(minutes=20), received=0, method="tcp", sent=2))
    put(engine, rows)
    window = {"point_id": a, "since": OLD - timedelta(days=1), "until": NOW}
    with session_scope(engine) as session:
        before = {by: point_trend(session, by=by, **window) for by in ("hour", "day")}
    prune(engine, now=NOW)
    with session_scope(engine) as session:
        after = {by: point_trend(session, by=by, **window) for by in ("hour", "day")}
    assert after["hour"] == before["hour"]
    hours = before["hour"]
    assert [h.start for h in hours] == [OLD, OLD + timedelta(hours=1)]
    assert (hours[0].rounds, hours[0].up_rounds, hours[0].sent, hours[0].received) == (
        6, 6, 32, 30
    )  # fmt: skip
    assert hours[0].rtt_median_ms == 2.5 and hours[1].rtt_median_ms == 8.5
    assert hours[0].loss == pytest.approx(2 / 32)
    [day] = before["day"]
    assert (day.resolution, day.rounds, day.rtt_median_ms) == ("day", 12, 5.5)
    assert day.rtt_p90_ms == pytest.approx(9.9)
    # A day gathered from hourly aggregates: quantiles are their RTT-weighted means.
    [day] = after["day"]
    assert (day.rounds, day.rtt_median_ms) == (12, 5.5) and day.rtt_p90_ms == pytest.approx(7.5)
    # Past the hourly horizon, days come from the daily aggregates.
    prune(engine, now=NOW, retention=Retention(timedelta(days=90), timedelta(days=100)))
    with session_scope(engine) as session:
        hourly_gone = point_trend(session, by="hour", **window)
    assert [(p.start, p.resolution, p.rounds) for p in hourly_gone] == [
        (datetime(2025, 2, 1, tzinfo=UTC), "day", 12)
    ]
    runner = CliRunner()
    result = runner.invoke(app, ["probe", "trend", "--point", "A", "--window", "1000d", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["rounds"] == 12
    result = runner.invoke(app, ["probe", "trend", "--point", "A", "--by", "week"])
    assert result.exit_code == 2 and "unknown resolution 'week'" in result.output
