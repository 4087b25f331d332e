"""Put a demo database back as `ictr demo` first made it. Refuses any other database."""

from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlmodel import Session

from inventory.db import session_scope
from inventory.demo import is_demo, load_demo
from inventory.errors import IctrError
from inventory.models import (
    Agency,
    Certificate,
    Computer,
    ConnectionPoint,
    Incident,
    IndicatorSnapshot,
    Meta,
    ProbeResult,
    ServiceFigure,
    UnitBoundary,
)
from readiness.geometry import ensure_approximate_boundaries

# Children before parents, so foreign keys hold at every step.
TABLES = [Incident, ProbeResult, Certificate, ServiceFigure, Computer, ConnectionPoint,
          IndicatorSnapshot, Agency, UnitBoundary, Meta]  # fmt: skip


def _clear(session: Session) -> None:
    for table in TABLES:
        session.exec(delete(table))


def reset_demo(engine: Engine, *, province_code: str) -> None:
    """Delete every row but the administrative units, then load the demo and its shapes,
    in one transaction: a failure leaves the database as it was."""
    with session_scope(engine) as session:
        if not is_demo(session):
            raise IctrError("this database does not hold the synthetic demo: refusing to reset it")
        _clear(session)
        session.flush()
        load_demo(session)
        ensure_approximate_boundaries(session, province_code)
