"""A point's status: one rule (probes.history.point_status) in two forms, Python and SQL, that
agree on every boundary; the map and the `points_up_pct` indicator count the same points up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from dashboard.map_page_data import load_map_data, map_view
from dashboard.point_status import STATUSES, shown_status
from inventory.db import session_scope
from inventory.models import ConnectionPoint, ProbeResult
from probes.history.point_status import (
    DEGRADED,
    DOWN,
    MEASURED,
    NO_DATA,
    SKIPPED,
    STALE,
    STALE_AFTER,
    UP,
    current_status,
    current_status_sql,
    round_status,
)
from readiness.table import readiness_long
from tests.dashboard_fixtures import add_probe_rounds, utc_now
from tests.netns_fixtures import add_points

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
US = timedelta(microseconds=1)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Row:
    method: str
    sent: int
    received: int
    error: str | None = None


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([], NO_DATA),
        ([Row("icmp", 0, 0, "refused: 0.0.0.0 is an unspecified address")], SKIPPED),
        ([Row("icmp", 5, 0, "no answer")], DOWN),
        ([Row("icmp", 5, 0), Row("tcp", 5, 0, "x")], DOWN),
        ([Row("icmp", 5, 5)], UP),
        ([Row("icmp", 5, 3)], UP),  # some loss: still answering
        ([Row("icmp", 5, 5, "")], UP),  # an empty error is no error
        ([Row("icmp", 5, 5), Row("tcp", 5, 0, "closed port 443")], DEGRADED),
        ([Row("icmp", 5, 5), Row("tcp", 0, 0, "round deadline reached")], DEGRADED),
        ([Row("tcp", 5, 5, "closed port 443")], DEGRADED),
    ],
)
def test_round_status(rows: list[Row], status: str) -> None:
    assert round_status(rows) == status


def test_an_old_round_is_stale_and_shows_as_no_data() -> None:
    rows = [Row("icmp", 5, 5)]
    assert current_status(NOW - STALE_AFTER, rows, NOW) == UP  # exactly STALE_AFTER: current
    assert current_status(NOW - STALE_AFTER - US, rows, NOW) == STALE
    assert current_status(None, [], NOW) == NO_DATA
    # The dashboard shows four statuses; stale and skipped say nothing about the point now.
    assert {shown_status(s) for s in (STALE, SKIPPED, NO_DATA)} == {NO_DATA}
    assert {shown_status(s) for s in MEASURED} == set(MEASURED)
    assert set(STATUSES) == {*MEASURED, NO_DATA}


# Per point: its own agent's rows (seconds before NOW, method, sent, received, error), and
# another agent's rows, which never count.
CASES: dict[str, list[tuple[float, str, int, int, str | None]]] = {
    "NEVER": [],
    "LATER_ONLY": [(-60, "icmp", 5, 5, None)],  # only after NOW: nothing known at NOW
    "UP": [(60, "icmp", 5, 5, None), (60, "tcp", 2, 2, None)],
    "LOSSY": [(60, "icmp", 5, 1, None)],
    "EMPTY_ERROR": [(60, "icmp", 5, 5, "")],
    "DOWN": [(60, "icmp", 5, 0, "no answer")],
    "DOWN_TWO": [(60, "icmp", 5, 0, None), (60, "tcp", 2, 0, "no answer on port 443")],
    "CLOSED_PORT": [(60, "icmp", 5, 5, None), (60, "tcp", 2, 2, "closed port 443")],
    "SILENT_METHOD": [(60, "icmp", 5, 4, None), (60, "tcp", 2, 0, "no answer")],
    "SKIPPED": [(60, "icmp", 0, 0, "refused: 0.0.0.0 is an unspecified address")],
    "LATEST_DECIDES": [(120, "icmp", 5, 5, None), (60, "icmp", 5, 0, "no answer")],
    "AT_THE_LIMIT": [(3600, "icmp", 5, 5, None)],
    "JUST_PAST": [(3600.000001, "icmp", 5, 5, None)],
    "STALE_DOWN": [(7200, "icmp", 5, 0, "no answer")],
    "AT_NOW": [(0, "icmp", 5, 5, None)],
}
EXPECTED = {
    "NEVER": NO_DATA,
    "LATER_ONLY": NO_DATA,
    "UP": UP,
    "LOSSY": UP,
    "EMPTY_ERROR": UP,
    "DOWN": DOWN,
    "DOWN_TWO": DOWN,
    "CLOSED_PORT": DEGRADED,
    "SILENT_METHOD": DEGRADED,
    "SKIPPED": SKIPPED,
    "LATEST_DECIDES": DOWN,
    "AT_THE_LIMIT": UP,
    "JUST_PAST": STALE,
    "STALE_DOWN": STALE,
    "AT_NOW": UP,
}


def _store_cases(engine: Engine) -> dict[str, int]:
    ids = add_points(
        engine, [{"code": code, "address": f"127.0.9.{i + 1}"} for i, code in enumerate(CASES)]
    )
    rows = []
    for code, found in CASES.items():
        for seconds, method, sent, received, error in found:
            common = {"point_id": ids[code], "method": method, "sent": sent}
            at = NOW - timedelta(seconds=seconds)
            rows.append({**common, "agent": "", "started_at": at, "received": received,
                         "error": error})  # fmt: skip
            # A watching agent's newer, worse view of the point: it must not count.
            rows.append({**common, "agent": "watcher", "started_at": at + timedelta(seconds=30),
                         "received": 0, "error": "no answer"})  # fmt: skip
    with session_scope(engine) as session:
        session.execute(insert(ProbeResult), rows)
    return ids


def test_sql_and_python_forms_agree_on_every_boundary(engine: Engine) -> None:
    ids = _store_cases(engine)
    with Session(engine) as session:
        in_sql = dict(
            session.execute(
                select(
                    col(ConnectionPoint.code),
                    current_status_sql(col(ConnectionPoint.id), col(ConnectionPoint.agent), NOW),
                )
            ).all()
        )
        in_python = {}
        for code, point_id in ids.items():
            own = session.exec(
                select(ProbeResult).where(
                    ProbeResult.point_id == point_id,
                    ProbeResult.agent == "",
                    col(ProbeResult.started_at) <= NOW,
                )
            ).all()
            last = max((r.started_at for r in own), default=None)
            in_python[code] = current_status(last, [r for r in own if r.started_at == last], NOW)
    assert in_python == EXPECTED
    assert in_sql == EXPECTED


def test_the_map_counts_the_points_the_indicator_counts_up(demo_engine: Engine) -> None:
    now = utc_now()
    expected = add_probe_rounds(demo_engine, now=now)  # one up, one down, one degraded
    with session_scope(demo_engine) as session:
        stale, skipped = session.exec(
            select(ConnectionPoint).order_by(col(ConnectionPoint.code).desc()).limit(2)
        ).all()
        common = {"method": "icmp", "sent": 5, "received": 5, "rtt_median_ms": 9.0}
        session.execute(
            insert(ProbeResult),
            [
                # Up, but two hours ago: no current status.
                {**common, "point_id": stale.id, "agent": stale.agent,
                 "started_at": now - 2 * STALE_AFTER},
                # Just now, but nothing was sent.
                {**common, "point_id": skipped.id, "agent": skipped.agent, "started_at": now,
                 "sent": 0, "received": 0, "rtt_median_ms": None, "error": "refused"},
            ],
        )  # fmt: skip
        stale_code, skipped_code = stale.code, skipped.code
    today = now.astimezone(ZONE).date()
    with session_scope(demo_engine) as session:
        # Today's structure: the communes of Tuyên Quang (08@2025), Hà Giang's successor.
        data = load_map_data(session, level="commune", province_code="02", at=today, now=now)
        view = map_view(
            data, indicator_key="index", lang="vi", zone=ZONE, tiles=None, show_points=True
        )
        long = readiness_long(session, level="province", at=today)
    row = long[(long.code == "08@2025") & (long.indicator == "points_up_pct")].iloc[0]
    shown = data.points.set_index("code")["status"]
    assert {code: shown[code] for code in expected} == expected
    assert shown[stale_code] == shown[skipped_code] == NO_DATA
    assert view.points_up == 1
    assert (row.numerator, row.denominator) == (1, 3)  # up / (up, degraded, down)
    assert round(row.value * row.denominator / 100) == view.points_up
    assert row.denominator == shown.isin(MEASURED).sum()
