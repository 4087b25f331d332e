"""Hourly aggregates kept while raw rounds are kept (probes/history/hourly_summary.py): the figures
are the same to the round whether hours are summarised or not, readers really take whole
hours from the aggregates, late rounds merge into their hour once, and a summary running
while an agent stores rounds misses nothing.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from inventory.db import session_scope
from inventory.models import Meta, ProbeHourly, ProbeResult
from probes.history.availability import availability
from probes.history.hourly_summary import WATERMARK_KEY, summarise, watermark
from probes.history.rollup_build import bucket_start
from probes.history.store import store_records
from probes.history.trends import point_trend
from readiness.indicators.point_counts import point_counts
from tests.netns_fixtures import add_points

NOW = datetime(2025, 6, 1, 10, 37, tzinfo=UTC)
AT = date(2025, 5, 31)  # the windows end at 23:59:59.999999 that day: part-hours at both ends


def rounds(point: int, *, agent: str = "", start: datetime, n: int, every: timedelta, seed: int):
    """`n` rounds from `start`, each minute-offset odd so windows cut hours in the middle."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        up = rng.random() > 0.25
        rows.append(
            {
                "point_id": point,
                "agent": agent,
                "method": "icmp",
                "started_at": start + i * every,
                "sent": 5,
                "received": rng.randint(1, 5) if up else 0,
                "rtt_min_ms": 1.0 if up else None,
                "rtt_median_ms": round(rng.uniform(2, 90), 3) if up else None,
                "rtt_max_ms": 99.0 if up else None,
                "rtt_stddev_ms": None,
                "error": None,
            }
        )
    return rows


@pytest.fixture
def history(engine) -> dict[str, int]:
    """35 days of rounds every 20 minutes (minute 7, 27, 47) for A and B, and another
    agent's view of A; inserted in bulk, as before any summary."""
    points = add_points(
        engine,
        [{"code": "A", "address": "127.10.0.1"}, {"code": "B", "address": "127.10.0.2"}],
    )
    start = bucket_start(NOW - timedelta(days=35), "hour") + timedelta(minutes=7)
    n = int((NOW - start) / timedelta(minutes=20)) + 1
    rows = (
        rounds(points["A"], start=start, n=n, every=timedelta(minutes=20), seed=1)
        + rounds(points["B"], start=start, n=n, every=timedelta(minutes=20), seed=2)
        + rounds(points["A"], agent="hq", start=start, n=n, every=timedelta(minutes=20), seed=3)
    )
    with engine.begin() as connection:
        connection.execute(insert(ProbeResult.__table__), rows)  # type: ignore[attr-defined]
    return points


def figures(engine, points: dict[str, int]) -> dict[str, object]:
    """Everything that reads windows of rounds, at window ends that cut hours."""
    found: dict[str, object] = {}
    with Session(engine) as session:
        counts = point_counts(session, at=AT).set_index("point_id").sort_index()
        found["counts"] = counts.drop(columns=["unit_code", "agency_id"]).to_dict()
        for name, window in (("24h", 24), ("7d", 168), ("30d", 720), ("odd", 53)):
            for now in (NOW, NOW - timedelta(hours=3, minutes=13)):
                for agent in (None, "hq"):
                    got = availability(
                        session, window=timedelta(hours=window), now=now, agent=agent
                    )
                    found[f"availability {name} {now} {agent}"] = {
                        p: (a.rounds, a.up_rounds) for p, a in got.items()
                    }
        for by in ("hour", "day"):
            trend = point_trend(
                session,
                point_id=points["A"],
                since=NOW - timedelta(days=3, minutes=17),
                until=NOW,
                by=by,
            )
            found[f"trend {by}"] = [
                (t.start, t.rounds, t.up_rounds, t.sent, t.received, t.rtt_median_ms) for t in trend
            ]
    return found


def assert_same(after: dict[str, object], before: dict[str, object]) -> None:
    assert after.keys() == before.keys()
    for key in before:
        if key == "trend day":  # a day built from hours has the hours' weighted mean median
            assert [t[:5] for t in after[key]] == [t[:5] for t in before[key]]  # type: ignore[attr-defined]
        elif key == "trend hour":
            assert after[key] == [(*t[:5], pytest.approx(t[5])) for t in before[key]]  # type: ignore[attr-defined]
        else:
            assert after[key] == before[key], key


def test_figures_are_the_same_summarised_or_not(engine, history) -> None:
    before = figures(engine, history)
    counts = before["counts"]
    assert counts["rounds_30d"][history["A"]] == 30 * 72  # type: ignore[index]

    report = summarise(engine, now=NOW)
    assert report.through == datetime(2025, 6, 1, 10, tzinfo=UTC)  # 10:27 -> the 10:00 hour
    # Rounds from 2025-04-27 10:07 to 06-01 10:27: 35 days of hours, a day per transaction.
    assert report.steps == 35
    with session_scope(engine) as session:
        assert watermark(session) == report.through
        hours = session.execute(select(func.count()).select_from(ProbeHourly)).scalar()
        raw = session.execute(select(func.count()).select_from(ProbeResult)).scalar()
    assert hours == 3 * 35 * 24  # 3 series (A, B, and A seen by "hq")
    assert raw == 3 * (35 * 72 + 2)  # the raw rows stay
    assert_same(figures(engine, history), before)

    # Running it again changes nothing.
    again = summarise(engine, now=NOW)
    assert (again.steps, again.buckets, again.through) == (0, 0, report.through)
    assert_same(figures(engine, history), before)


def test_readers_take_whole_hours_from_the_aggregates(engine, history) -> None:
    before = figures(engine, history)
    summarise(engine, now=NOW)
    b = history["B"]
    with engine.begin() as connection:
        table = ProbeHourly.__table__  # type: ignore[attr-defined]
        row = connection.execute(  # an hour inside every window of AT and NOW
            select(table)
            .where(
                table.c.point_id == b,
                table.c.agent == "",
                table.c.period_start >= datetime(2025, 5, 30, 6, tzinfo=UTC),
                table.c.up_rounds > 0,
            )
            .order_by(table.c.period_start)
            .limit(1)
        ).one()
        connection.execute(
            update(table)
            .where(table.c.id == row.id)
            .values(up_rounds=0, good_results=0, received=0)
        )
    after = figures(engine, history)
    counts_before, counts_after = before["counts"], after["counts"]
    assert counts_after["good_7d"][b] == counts_before["good_7d"][b] - row.good_results  # type: ignore[index]
    assert counts_after["received_7d"][b] == counts_before["received_7d"][b] - row.received  # type: ignore[index]
    key = f"availability 7d {NOW} None"
    assert after[key][b] == (before[key][b][0], before[key][b][1] - row.up_rounds)  # type: ignore[index]
    # The median and the latest status still read the raw rounds.
    assert counts_after["median_rtt_7d_ms"] == counts_before["median_rtt_7d_ms"]  # type: ignore[index]


def _unsummarised(engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(Meta.__table__).where(Meta.__table__.c.key == WATERMARK_KEY))  # type: ignore[attr-defined]
        connection.execute(delete(ProbeHourly.__table__))  # type: ignore[attr-defined]


def test_a_late_round_merges_into_its_hour_once(engine, history) -> None:
    summarise(engine, now=NOW)
    a = history["A"]
    late_at = datetime(2025, 5, 31, 9, 13, tzinfo=UTC)  # between the 09:07 and 09:27 rounds
    record = rounds(a, start=late_at, n=1, every=timedelta(0), seed=9)[0]
    record.update(received=5, rtt_median_ms=3.0, rtt_min_ms=0.25, rtt_max_ms=150.0)
    table = ProbeHourly.__table__  # type: ignore[attr-defined]
    key = (
        table.c.point_id == a,
        table.c.agent == "",
        table.c.period_start == late_at.replace(minute=0),
    )

    def hour_row():
        with engine.connect() as connection:
            return connection.execute(select(table).where(*key)).one()

    old = hour_row()
    report = store_records(engine, agent="", started_at=late_at, records=[record], down_after=2)
    assert (report.inserted, report.late) == (1, 1)
    new = hour_row()
    assert (new.rounds, new.up_rounds, new.results) == (
        old.rounds + 1,
        old.up_rounds + 1,
        old.results + 1,
    )
    assert (new.sent, new.received, new.rtt_count) == (
        old.sent + 5,
        old.received + 5,
        old.rtt_count + 1,
    )
    assert (new.rtt_min_ms, new.rtt_max_ms) == (0.25, 150.0)
    n = old.rtt_count
    assert new.rtt_median_ms == pytest.approx((old.rtt_median_ms * n + 3.0) / (n + 1))

    # The same round again is a duplicate: nothing merged twice.
    again = store_records(engine, agent="", started_at=late_at, records=[record], down_after=2)
    assert (again.inserted, again.duplicates, again.late) == (0, 1, 0)
    assert hour_row() == new

    # Counts match a recount from the raw rows alone.
    summarised = figures(engine, history)
    _unsummarised(engine)
    recount = figures(engine, history)
    assert summarised["counts"] == recount["counts"]
    assert {k: v for k, v in summarised.items() if k.startswith("availability")} == {
        k: v for k, v in recount.items() if k.startswith("availability")
    }

    # A round after the watermark stays raw only.
    summarise(engine, now=NOW)
    fresh = dict(record, started_at=NOW - timedelta(minutes=5))
    report = store_records(
        engine, agent="", started_at=fresh["started_at"], records=[fresh], down_after=2
    )
    assert (report.inserted, report.late) == (1, 0)


def test_a_summary_while_an_agent_stores_misses_nothing(engine) -> None:
    """Rounds land in the hour being summarised, and behind the watermark, while summaries
    run: afterwards every hour's aggregate equals a recount of its raw rows."""
    points = add_points(engine, [{"code": "A", "address": "127.10.0.1"}])
    a = points["A"]
    start = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
    hours = 8
    errors: list[BaseException] = []
    done: list[int] = []
    stored = threading.Event()

    def agent() -> None:
        try:
            rng = random.Random(5)
            order = list(range(hours * 30))  # a round every 2 minutes
            rng.shuffle(order)  # late and early alike
            for i in order:
                at = start + timedelta(minutes=2 * i, seconds=1)
                record = rounds(a, start=at, n=1, every=timedelta(0), seed=i)[0]
                store_records(engine, agent="", started_at=at, records=[record], down_after=3)
                done.append(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            stored.set()

    writer = threading.Thread(target=agent)
    writer.start()
    # The watermark follows the agent: one more hour each time it has stored an eighth.
    while not stored.is_set():
        hour = 1 + len(done) * hours // (hours * 30)
        summarise(engine, now=start + timedelta(hours=hour, minutes=10))
    writer.join()
    assert not errors, errors
    assert summarise(engine, now=start + timedelta(hours=hours, minutes=10)).through == (
        start + timedelta(hours=hours)
    )

    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    hourly = ProbeHourly.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(raw.c.started_at, raw.c.received, raw.c.sent)).all()
        aggregates = {
            r.period_start: (r.results, r.good_results, r.sent, r.received)
            for r in connection.execute(select(hourly))
        }
    assert len(rows) == hours * 30
    expected: dict[datetime, list[int]] = {}
    for at, received, sent in rows:
        totals = expected.setdefault(bucket_start(at, "hour"), [0, 0, 0, 0])
        totals[0] += 1
        totals[1] += int(received > 0)
        totals[2] += sent
        totals[3] += received
    assert aggregates == {hour: tuple(t) for hour, t in expected.items()}
