"""The probe counts behind the network indicators: per active point, rounds and good rounds
over 24 h / 7 d / 30 d, loss, the 7-day median RTT and the current status.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from inventory.models import ConnectionPoint, ProbeResult
from probes.history.point_status import current_status_sql
from probes.history.rollup_read import rolled_up, split_window


def point_counts(
    session: Session, *, at: date, unit_codes: Collection[str] | None = None
) -> pd.DataFrame:
    """Per active point: rounds and good rounds over 24 h / 7 d / 30 d, loss, RTT, status now.

    `unit_codes`: only the points sitting in these units (a province's scope), else all.

    Only rows of the point's own agent count (another agent's view is for diagnosis).
    A round is good when at least one reply came back. A window's whole hours already
    summarised are read from the hourly aggregates, the rest from the raw rows
    (probes/history/rollup_read.py); raw reads are driven by the points, so the database reads
    only that range of the covering index (point, agent, time, ...). The 7-day median RTT and
    the current status (the probes' rule, `probes.history.point_status`, at the end of `at`)
    read raw rows.
    """
    now = datetime.now(UTC)
    end = now if at >= now.date() else datetime.combine(at, time.max, tzinfo=UTC)
    since = {w: end - timedelta(hours=h) for w, h in (("24h", 24), ("7d", 168), ("30d", 720))}
    good = case((col(ProbeResult.received) > 0, 1), else_=0)
    wanted: ColumnElement[bool] = col(ConnectionPoint.active).is_(True)
    if unit_codes is not None:
        wanted = and_(wanted, col(ConnectionPoint.unit_code).in_(sorted(unit_codes)))

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
            ).where(wanted)
        ).all(),
        columns=["point_id", "unit_code", "agency_id"],
    ).set_index("point_id")
    raw: dict[tuple[datetime, datetime, bool], pd.DataFrame] = {}

    def raw_counts(lower: datetime, upper: datetime, upper_included: bool) -> pd.DataFrame:
        """Per point, over raw rows in [lower, upper] or [lower, upper): rounds, good rounds,
        packets sent and received, RTT values (a window's tail is shared by all three)."""
        key = (lower, upper, upper_included)
        if key not in raw:
            started = col(ProbeResult.started_at)
            rows = session.execute(
                select(
                    col(ConnectionPoint.id),
                    func.count(),
                    func.sum(good),
                    func.sum(col(ProbeResult.sent)),
                    func.sum(col(ProbeResult.received)),
                    func.count(col(ProbeResult.rtt_median_ms)),
                )
                .join(
                    ProbeResult,
                    and_(
                        col(ProbeResult.point_id) == col(ConnectionPoint.id),
                        col(ProbeResult.agent) == col(ConnectionPoint.agent),
                        started >= lower,
                        started <= upper if upper_included else started < upper,
                    ),
                )
                .where(wanted)
                .group_by(col(ConnectionPoint.id))
            ).all()
            raw[key] = pd.DataFrame(
                [r[1:] for r in rows], index=[r[0] for r in rows], columns=_SUMS, dtype=float
            )
        return raw[key]

    for window, start in since.items():
        split = split_window(session, start, end)
        if split.all_raw:
            # Disjoint segments, from this window's start to each shorter window's start and
            # then to the end: the three windows read 30 days of rows, not 38.
            cuts = sorted(s for s in since.values() if s > start)
            parts = [raw_counts(a, b, False) for a, b in zip([start, *cuts], cuts, strict=False)]
            parts.append(raw_counts(cuts[-1] if cuts else start, end, True))
        else:
            parts = [raw_counts(split.tail_from, end, True)]
            if split.head_until > start:
                parts.append(raw_counts(start, split.head_until, False))
        if split.buckets_from < split.buckets_until:
            parts.append(
                _rolled_up_counts(
                    session,
                    split.buckets_from,
                    split.buckets_until,
                    point_ids=list(frame.index) if unit_codes is not None else None,
                    # Hours summarised still have their raw rows (RTT values included);
                    # rounds folded away have none.
                    raw_rtts_kept=not split.all_raw,
                )
            )
        # float, not object: a window without rows must still sum (to no data).
        total = pd.concat(parts).groupby(level=0).sum(min_count=1)
        total = total.reindex(frame.index)
        for name in ("rounds", "good", *(("sent", "received", "rtts") if window == "7d" else ())):
            frame[f"{name}_{window}"] = total[name]
    frame["median_rtt_7d_ms"] = _median_rtts(session, frame["rtts_7d"], own("7d"), wanted)
    frame["status_now"] = _status_now(session, end, wanted)
    return frame.reset_index(names="point_id")


_SUMS = ["rounds", "good", "sent", "received", "rtts"]


def _rolled_up_counts(
    session: Session,
    since: datetime,
    until: datetime,
    *,
    point_ids: list[int] | None,
    raw_rtts_kept: bool,
) -> pd.DataFrame:
    """The aggregates of buckets starting in [since, until), as `raw_counts` columns."""
    found = rolled_up(session, since=since, until=until, point_ids=point_ids)
    return pd.DataFrame(
        [
            (r.results, r.good_results, r.sent, r.received, r.rtt_count if raw_rtts_kept else 0)
            for r in found.values()
        ],
        index=list(found),
        columns=_SUMS,
        dtype=float,
    )


def _median_rtts(
    session: Session, counts: pd.Series, own: ColumnElement[bool], wanted: ColumnElement[bool]
) -> pd.Series:
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
            .where(rtt.is_not(None), wanted)
            .group_by(col(ConnectionPoint.id))
        ).all()
        return pd.Series({point: float(value) for point, value in rows}, dtype="float")
    # A few statements for all points (SQLite allows 500 terms in a UNION ALL), each term
    # reading only its point's middle one or two values, in order.
    pending = [(int(p), int(n)) for p, n in counts.dropna().items() if n > 0]
    middles: dict[int, list[float]] = {}
    for start in range(0, len(pending), 400):
        terms = []
        for point, n in pending[start : start + 400]:
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


def _status_now(session: Session, end: datetime, wanted: ColumnElement[bool]) -> pd.Series:
    """Per point, its current status at `end` (`probes.history.point_status`), in one statement."""
    status = current_status_sql(col(ConnectionPoint.id), col(ConnectionPoint.agent), end)
    rows = session.execute(select(col(ConnectionPoint.id), status).where(wanted))
    return pd.Series({int(point): value for point, value in rows}, dtype="object")
