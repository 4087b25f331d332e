"""The raw counts behind every indicator: a few GROUP BY queries, one row per agency or point.

Indicators are ratios of these counts, so each figure can be traced back to the records it
counted (see `traceability` in docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from inventory.models import (
    Agency,
    Certificate,
    Computer,
    ComputerStatus,
    ConnectionPoint,
    ProbeResult,
    ServiceFigure,
)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


def agency_counts(session: Session, *, at: date, life_years: Mapping[str, int]) -> pd.DataFrame:
    """Per agency: officials, signers, and counts of its computers in use."""
    in_use = Computer.status == ComputerStatus.in_use
    life = case(
        *[(Computer.kind == kind, years) for kind, years in life_years.items()], else_=literal(5)
    )
    within_life = and_(
        in_use, Computer.purchase_year.is_not(None), (at.year - Computer.purchase_year) < life
    )
    known_age = and_(in_use, Computer.purchase_year.is_not(None))
    computers = (
        select(
            Computer.agency_id,
            _count_if(in_use).label("computers_in_use"),
            _count_if(and_(in_use, Computer.internet)).label("computers_internet"),
            _count_if(within_life).label("computers_within_life"),
            _count_if(known_age).label("computers_known_age"),
            func.sum(case((known_age, Computer.purchase_year), else_=0)).label("purchase_year_sum"),
        )
        .group_by(Computer.agency_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Agency.id.label("agency_id"),
            Agency.code,
            Agency.name,
            Agency.kind,
            Agency.unit_code,
            Agency.officials,
            Agency.signing_officials,
            func.coalesce(computers.c.computers_in_use, 0).label("computers_in_use"),
            func.coalesce(computers.c.computers_internet, 0).label("computers_internet"),
            func.coalesce(computers.c.computers_within_life, 0).label("computers_within_life"),
            func.coalesce(computers.c.computers_known_age, 0).label("computers_known_age"),
            func.coalesce(computers.c.purchase_year_sum, 0).label("purchase_year_sum"),
        ).outerjoin(computers, computers.c.agency_id == Agency.id)
    ).all()
    frame = pd.DataFrame(rows, columns=list(rows[0]._fields) if rows else _AGENCY_COLUMNS)
    frame["kind"] = frame["kind"].astype(str)
    return frame


_AGENCY_COLUMNS = [
    "agency_id",
    "code",
    "name",
    "kind",
    "unit_code",
    "officials",
    "signing_officials",
    "computers_in_use",
    "computers_internet",
    "computers_within_life",
    "computers_known_age",
    "purchase_year_sum",
]


def supported_os_counts(
    session: Session, *, at: date, os_supported: Callable[[str | None, date], bool]
) -> pd.Series:
    """Per agency: computers in use whose OS is still supported on `at`."""
    rows = session.execute(
        select(Computer.agency_id, Computer.os, func.count())
        .where(Computer.status == ComputerStatus.in_use)
        .group_by(Computer.agency_id, Computer.os)
    ).all()
    verdicts: dict[str | None, bool] = {}
    totals: dict[int, int] = {}
    for agency_id, os_name, n in rows:
        if os_name not in verdicts:
            verdicts[os_name] = os_supported(os_name, at)
        if verdicts[os_name]:
            totals[agency_id] = totals.get(agency_id, 0) + n
    return pd.Series(totals, name="computers_supported_os", dtype="int64")


def certificate_counts(session: Session, *, at: date) -> pd.Series:
    """Per agency: certificates valid on `at` (issued, not expired, not revoked)."""
    valid = and_(
        Certificate.issued_on <= at,
        Certificate.expires_on >= at,
        or_(Certificate.revoked_on.is_(None), Certificate.revoked_on > at),
    )
    rows = session.execute(
        select(Certificate.agency_id, func.count()).where(valid).group_by(Certificate.agency_id)
    ).all()
    return pd.Series(dict(rows), name="certificates_valid", dtype="int64")


def service_counts(session: Session, *, at: date) -> pd.DataFrame:
    """Service figures of the latest period that started on or before `at`, per unit/agency.

    Periods are written "2020", "2026Q4" or "2026-11"; their first four characters are the
    year, which is what selects them.
    """
    latest_year = session.execute(
        select(func.max(func.substr(ServiceFigure.period, 1, 4))).where(
            func.substr(ServiceFigure.period, 1, 4) <= str(at.year)
        )
    ).scalar()
    columns = [
        "unit_code",
        "agency_id",
        "procedures",
        "procedures_level3",
        "procedures_level4",
        "dossiers_received",
        "dossiers_online",
        "dossiers_on_time",
    ]
    if latest_year is None:
        return pd.DataFrame(columns=columns)
    rows = session.execute(
        select(
            ServiceFigure.unit_code,
            ServiceFigure.agency_id,
            *[func.sum(getattr(ServiceFigure, c)).label(c) for c in columns[2:]],
        )
        .where(func.substr(ServiceFigure.period, 1, 4) == latest_year)
        .group_by(ServiceFigure.unit_code, ServiceFigure.agency_id)
    ).all()
    return pd.DataFrame(rows, columns=columns)


def point_counts(session: Session, *, at: date) -> pd.DataFrame:
    """Per active point: rounds and good rounds over 24 h / 7 d / 30 d, loss, RTT, last status.

    Only rows of the point's own agent count (another agent's view is for diagnosis).
    A round is good when at least one reply came back.
    """
    end = (
        datetime.combine(at, time.max, tzinfo=UTC)
        if at < datetime.now(UTC).date()
        else datetime.now(UTC)
    )
    since = {w: end - timedelta(hours=h) for w, h in (("24h", 24), ("7d", 168), ("30d", 720))}
    own = and_(
        ProbeResult.point_id == ConnectionPoint.id,
        ProbeResult.agent == ConnectionPoint.agent,
        ProbeResult.started_at >= since["30d"],
        ProbeResult.started_at <= end,
    )
    good = ProbeResult.received > 0
    aggregates = []
    for window, start in since.items():
        in_window = ProbeResult.started_at >= start
        aggregates += [
            _count_if(in_window).label(f"rounds_{window}"),
            _count_if(and_(in_window, good)).label(f"good_{window}"),
        ]
    in_7d = ProbeResult.started_at >= since["7d"]
    aggregates += [
        func.sum(case((in_7d, ProbeResult.sent), else_=0)).label("sent_7d"),
        func.sum(case((in_7d, ProbeResult.received), else_=0)).label("received_7d"),
        func.max(ProbeResult.started_at).label("last_round"),
    ]
    points = pd.DataFrame(
        session.execute(
            select(
                ConnectionPoint.id.label("point_id"),
                ConnectionPoint.unit_code,
                ConnectionPoint.agency_id,
            ).where(ConnectionPoint.active)
        ).all(),
        columns=["point_id", "unit_code", "agency_id"],
    )
    stats = pd.DataFrame(
        session.execute(
            select(ProbeResult.point_id, *aggregates)
            .join(ConnectionPoint, own)
            .group_by(ProbeResult.point_id)
        ).all(),
        columns=["point_id", *[a.name for a in aggregates]],
    )
    # Median RTT: the median of the rounds' medians over 7 days, per point.
    rtts = pd.DataFrame(
        session.execute(
            select(ProbeResult.point_id, ProbeResult.rtt_median_ms)
            .join(ConnectionPoint, own)
            .where(in_7d, ProbeResult.rtt_median_ms.is_not(None))
        ).all(),
        columns=["point_id", "rtt"],
    )
    medians = rtts.groupby("point_id")["rtt"].median().rename("median_rtt_7d_ms")
    last = pd.DataFrame(
        session.execute(
            select(ProbeResult.point_id, func.max(case((good, 1), else_=0)))
            .join(ConnectionPoint, own)
            .join(
                latest := select(
                    ProbeResult.point_id.label("pid"), func.max(ProbeResult.started_at).label("t")
                )
                .join(ConnectionPoint, own)
                .group_by(ProbeResult.point_id)
                .subquery(),
                and_(latest.c.pid == ProbeResult.point_id, latest.c.t == ProbeResult.started_at),
            )
            .group_by(ProbeResult.point_id)
        ).all(),
        columns=["point_id", "up_now"],
    )
    frame = points.merge(stats, on="point_id", how="left").merge(last, on="point_id", how="left")
    return frame.merge(medians, left_on="point_id", right_index=True, how="left")
