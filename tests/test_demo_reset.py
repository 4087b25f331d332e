"""Resetting the demo from the Data page clears every table, including the probe rollups,
and puts back the demo's own synthetic history only."""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import select

from dashboard.demo_reset import reset_demo
from inventory.actor import Actor
from inventory.db import session_scope
from inventory.models import ConnectionPoint, ProbeDaily, ProbeResult


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_reset_clears_rounds_and_rollups_and_reloads_the_demo(demo_engine) -> None:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    with session_scope(demo_engine) as session:
        point = session.exec(select(ConnectionPoint)).first()
        assert point is not None and point.id is not None
        session.add(
            ProbeResult(point_id=point.id, method="icmp", started_at=day, sent=5, received=5)
        )
        session.add(ProbeDaily(point_id=point.id, period_start=day, agent=""))
    before = count(demo_engine, "computer")
    reset_demo(demo_engine, province_code="02", actor=Actor.cli())
    # Only the demo's synthetic history: 30 days of hourly rounds for its 73 points.
    assert count(demo_engine, "probe_result") == 30 * 24 * 73
    with session_scope(demo_engine) as session:
        assert session.exec(select(ProbeResult).where(ProbeResult.started_at == day)).all() == []
    assert count(demo_engine, "probe_daily") == 0
    assert count(demo_engine, "computer") == before
    assert count(demo_engine, "connection_point") == 73
