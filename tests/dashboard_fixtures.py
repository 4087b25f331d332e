"""Fixtures and data makers for the dashboard tests (AppTest, map building, browser)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import select

from dashboard.auth import HASH_SETTING, hash_password
from inventory.db import session_scope
from inventory.models import ConnectionPoint, Incident, ProbeResult
from inventory.settings import get_settings

EDITOR_PASSWORD = "mật khẩu đúng 2026"
ROUND_EVERY = timedelta(minutes=5)


@pytest.fixture
def editor_password(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv(HASH_SETTING, hash_password(EDITOR_PASSWORD))
    get_settings.cache_clear()
    monkeypatch.setattr("dashboard.page_setup.FAILED_SIGN_IN_DELAY_S", 0.0)
    yield EDITOR_PASSWORD


@pytest.fixture
def no_editor_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HASH_SETTING, raising=False)
    get_settings.cache_clear()


def _row(point: ConnectionPoint, at: datetime, method: str, received: int, rtt: float | None,
         error: str | None = None) -> dict[str, object]:  # fmt: skip
    return {
        "point_id": point.id,
        "agent": point.agent,
        "method": method,
        "started_at": at,
        "sent": 5,
        "received": received,
        "rtt_min_ms": None if rtt is None else rtt * 0.8,
        "rtt_median_ms": rtt,
        "rtt_max_ms": None if rtt is None else rtt * 1.5,
        "rtt_stddev_ms": None if rtt is None else rtt * 0.1,
        "error": error,
    }


def add_probe_rounds(engine: Engine, *, now: datetime, rounds: int = 12) -> dict[str, str]:
    """Rounds for the first three points, ending just before `now`: one up, one down (with
    an open incident), one degraded (ICMP answers, its TCP port does not). Returns the
    expected status by point code."""
    with session_scope(engine) as session:
        up, down, degraded = session.exec(
            select(ConnectionPoint).order_by(ConnectionPoint.code).limit(3)  # type: ignore[arg-type]
        ).all()
        rows = []
        for i in range(rounds):
            at = now - timedelta(minutes=1) - i * ROUND_EVERY
            rows.append(_row(up, at, "icmp", 5, 10.0 + i % 3))
            rows.append(_row(down, at, "icmp", 0, None, "no answer"))
            rows.append(_row(degraded, at, "icmp", 4, 40.0))
            rows.append(_row(degraded, at, "tcp", 0, None, "no answer on port 443"))
        session.execute(insert(ProbeResult), rows)
        session.add(
            Incident(point_id=down.id, agent=down.agent, down_from=now - rounds * ROUND_EVERY)
        )
        return {up.code: "up", down.code: "down", degraded.code: "degraded"}


def utc_now() -> datetime:
    return datetime.now(UTC)
