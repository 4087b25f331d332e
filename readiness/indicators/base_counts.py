"""The raw counts behind every indicator: a few GROUP BY queries, one row per agency or point.

Indicators are ratios of these counts, so each figure can be traced back to the records it
counted (see `traceability` in docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Integer, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from inventory.models import (
    Agency,
    Certificate,
    Computer,
    ComputerStatus,
    ConnectionPoint,
    ProbeResult,
    ServiceFigure,
)
from probes.rollup_read import rolled_up


def _frame(session: Session, statement: Any, columns: list[str]) -> pd.DataFrame:
    """Run a query into a DataFrame; plain tuples build one several times faster than Rows."""
    return pd.DataFrame([tuple(row) for row in session.execute(statement)], columns=columns)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


def agency_counts(
    session: Session,
    *,
    at: date,
    life_years: Mapping[str, int],
    os_supported: Callable[[str | None, date], bool],
) -> pd.DataFrame:
    """Per agency: officials, signers, and counts of its computers in use.

    One pass over the computers, grouped by agency and OS: the OS verdict (supported on `at`
    or not) is then taken once per distinct OS name, in Python, from the lifecycle policy.
    """
    in_use = col(Computer.status) == ComputerStatus.in_use
    life = case(
        *[(col(Computer.kind) == kind, years) for kind, years in life_years.items()],
        else_=literal(5),
    )
    within_life = and_(
        col(Computer.purchase_year).is_not(None), (at.year - col(Computer.purchase_year)) < life
    )
    known_age = col(Computer.purchase_year).is_not(None)
    counts = _frame(
        session,
        select(
            col(Computer.agency_id),
            col(Computer.os),
            func.count(),
            _count_if(col(Computer.internet).is_(True)),
            _count_if(within_life),
            _count_if(known_age),
            func.sum(case((known_age, col(Computer.purchase_year)), else_=0)),
        )
        .where(in_use)
        .group_by(col(Computer.agency_id), col(Computer.os)),
        ["agency_id", "os", *_COUNT_COLUMNS[:-1]],
    )
    verdicts = {os_name: os_supported(os_name, at) for os_name in counts["os"].unique()}
    counts["computers_supported_os"] = counts["computers_in_use"].where(
        counts["os"].map(verdicts).astype(bool), 0
    )
    per_agency = counts.groupby("agency_id")[_COUNT_COLUMNS].sum()
    agencies = _frame(
        session,
        select(
            col(Agency.id),
            col(Agency.code),
            col(Agency.name),
            col(Agency.kind),
            col(Agency.unit_code),
            col(Agency.officials),
            col(Agency.signing_officials),
        ),
        ["agency_id", "code", "name", "kind", "unit_code", "officials", "signing_officials"],
    )
    frame = agencies.join(per_agency, on="agency_id")
    frame[_COUNT_COLUMNS] = frame[_COUNT_COLUMNS].fillna(0).astype("int64")
    frame["kind"] = frame["kind"].astype(str)
    return frame


_COUNT_COLUMNS = [
    "computers_in_use",
    "computers_internet",
    "computers_within_life",
    "computers_known_age",
    "purchase_year_sum",
    "computers_supported_os",
]


def certificate_counts(session: Session, *, at: date) -> pd.Series:
    """Per agency: certificates valid on `at` (issued, not expired, not revoked)."""
    valid = and_(
        col(Certificate.issued_on) <= at,
        col(Certificate.expires_on) >= at,
        or_(col(Certificate.revoked_on).is_(None), col(Certificate.revoked_on) > at),
    )
    rows = session.execute(
        select(col(Certificate.agency_id), func.count())
        .where(valid)
        .group_by(col(Certificate.agency_id))
    ).all()
    return pd.Series(dict(rows), name="certificates_valid", dtype="int64")


def service_counts(session: Session, *, at: date) -> pd.DataFrame:
    """Service figures of the latest period that started on or before `at`, per unit/agency.

    Periods are written "2020", "2026Q4" or "2026-11"; their first four characters are the
    year, which is what selects them.
    """
    latest_year = session.execute(
        select(func.max(func.substr(col(ServiceFigure.period), 1, 4))).where(
            func.substr(col(ServiceFigure.period), 1, 4) <= str(at.year)
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
    if latest_year is None:  # numeric columns even when empty: they must still sum
        return pd.DataFrame({c: pd.Series(dtype="float") for c in columns})
    rows = session.execute(
        select(
            col(ServiceFigure.unit_code),
            col(ServiceFigure.agency_id),
            *[func.sum(getattr(ServiceFigure, c)).label(c) for c in columns[2:]],
        )
        .where(func.substr(col(ServiceFigure.period), 1, 4) == latest_year)
        .group_by(col(ServiceFigure.unit_code), col(ServiceFigure.agency_id))
    ).all()
    return pd.DataFrame(rows, columns=columns)


def point_counts(session: Session, *, at: date) -> pd.DataFrame:
    """Per active point: rounds and good rounds over 24 h / 7 d / 30 d, loss, RTT, last status.

    Only rows of the point's own agent count (another agent's view is for diagnosis).
    A round is good when at least one reply came back. Each window is its own query driven
    by the points, so the database reads only that window of the covering index
    (point, agent, time, ...) instead of every row of the table.
    """
    now = datetime.now(UTC)
    end = now if at >= now.date() else datetime.combine(at, time.max, tzinfo=UTC)
    since = {w: end - timedelta(hours=h) for w, h in (("24h", 24), ("7d", 168), ("30d", 720))}
    good = case((col(ProbeResult.received) > 0, 1), else_=0)

    def own(window: str) -> ColumnElement[bool]:
        return and_(
            col(ProbeResult.point_id) == col(ConnectionPoint.id),
            col(ProbeResult.agent) == col(ConnectionPoint.agent),
            col(ProbeResult.started_at) >= since[window],
            col(ProbeResult.started_at) <= end,
        )

    frame = pd.DataFrame(
        session.execute(
            select(
                col(ConnectionPoint.id),
                col(ConnectionPoint.unit_code),
                col(ConnectionPoint.agency_id),
            ).where(col(ConnectionPoint.active))
        ).all(),
        columns=["point_id", "unit_code", "agency_id"],
    ).set_index("point_id")
    for window in since:
        extra = (
            [
                func.sum(col(ProbeResult.sent)),
                func.sum(col(ProbeResult.received)),
                func.count(col(ProbeResult.rtt_median_ms)),
            ]
            if window == "7d"
            else []
        )
        rows = session.execute(
            select(col(ConnectionPoint.id), func.count(), func.sum(good), *extra)
            .join(ProbeResult, own(window))
            .where(col(ConnectionPoint.active))
            .group_by(col(ConnectionPoint.id))
        ).all()
        names = [f"rounds_{window}", f"good_{window}"] + (
            ["sent_7d", "received_7d", "rtts_7d"] if extra else []
        )
        # float, not object: a window without rows must still sum (to no data).
        frame = frame.join(
            pd.DataFrame(
                [r[1:] for r in rows], index=[r[0] for r in rows], columns=names, dtype=float
            )
        )
    _add_rolled_up(session, frame, since, end)
    frame["median_rtt_7d_ms"] = _median_rtts(session, frame["rtts_7d"], own("7d"))
    frame["up_now"] = _up_now(session, own("30d"))
    return frame.reset_index(names="point_id")


def _add_rolled_up(
    session: Session, frame: pd.DataFrame, since: Mapping[str, datetime], end: datetime
) -> None:
    """Rounds past the raw retention count through their hourly/daily aggregates
    (probes/retention.py). The RTT median and the latest status read raw rounds only."""
    columns = {"rounds": "results", "good": "good_results", "sent": "sent", "received": "received"}
    for window, start in since.items():
        old = rolled_up(session, since=start, until=end)
        if not old:
            continue
        extra = pd.DataFrame.from_dict({p: vars(r) for p, r in old.items()}, orient="index")
        extra = extra.reindex(frame.index).astype(float)  # active points only
        for prefix, source in columns.items():
            name = f"{prefix}_{window}"
            if name in frame:
                frame[name] = frame[name].add(extra[source], fill_value=0)


def _median_rtts(session: Session, counts: pd.Series, own: ColumnElement[bool]) -> pd.Series:
    """Per point, the median of its rounds' median RTTs in the window (`counts`: how many).

    PostgreSQL computes it in one grouped query. SQLite has no median: each point reads only
    its middle one or two values, in order, from the covering index, which costs far less than
    fetching every value.
    """
    rtt = col(ProbeResult.rtt_median_ms)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            select(col(ConnectionPoint.id), func.percentile_cont(0.5).within_group(rtt))
            .join(ProbeResult, own)
            .where(rtt.is_not(None))
            .group_by(col(ConnectionPoint.id))
        ).all()
        return pd.Series({point: float(value) for point, value in rows}, dtype="float")
    # A few statements for all points (SQLite allows 500 terms in a UNION ALL), each term
    # reading only its point's middle one or two values, in order.
    wanted = [(int(p), int(n)) for p, n in counts.dropna().items() if n > 0]
    middles: dict[int, list[float]] = {}
    for start in range(0, len(wanted), 400):
        terms = []
        for point, n in wanted[start : start + 400]:
            middle = (
                select(rtt.label("rtt"))
                .join(ConnectionPoint, own)
                .where(col(ConnectionPoint.id) == point, rtt.is_not(None))
                .order_by(rtt)
                .limit(2 - n % 2)
                .offset((n - 1) // 2)
                .subquery()
            )
            terms.append(select(literal(point).label("point"), middle.c.rtt))
        for point, value in session.execute(union_all(*terms)):
            middles.setdefault(int(point), []).append(float(value))
    medians = {point: sum(v) / len(v) for point, v in middles.items()}
    return pd.Series(medians, dtype="float")


def _up_now(session: Session, own: ColumnElement[bool]) -> pd.Series:
    """Per point, 1 if its latest round in the window (any method at that instant) got a reply.

    Two index seeks per point: the latest instant (a correlated MAX), then that instant's rows.
    """
    latest = select(func.max(col(ProbeResult.started_at))).where(own).correlate(ConnectionPoint)
    rounds = [
        (point, agent, at)
        for point, agent, at in session.execute(
            select(
                col(ConnectionPoint.id), col(ConnectionPoint.agent), latest.scalar_subquery()
            ).where(col(ConnectionPoint.active))
        )
        if at is not None
    ]
    good = func.max(case((col(ProbeResult.received) > 0, 1), else_=0))
    status: dict[int, int] = {}
    for start in range(0, len(rounds), 300):
        seeks = [
            and_(
                col(ProbeResult.point_id) == p,
                col(ProbeResult.agent) == a,
                col(ProbeResult.started_at) == t,
            )
            for p, a, t in rounds[start : start + 300]
        ]
        rows = session.execute(
            select(col(ProbeResult.point_id), good)
            .where(or_(*seeks))
            .group_by(col(ProbeResult.point_id))
        )
        status.update((int(point), int(value)) for point, value in rows)
    return pd.Series(status, dtype="float")
