"""The latest date the records speak of: the dashboard opens on it, so a database whose
figures end in 2020 opens on 2020's picture rather than on an empty today."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from inventory.models import Certificate, Computer, ProbeResult, ServiceFigure
from inventory.periods import PeriodError, period_bounds

# The day columns whose newest value says how far the records reach.
DAY_COLUMNS = (
    Computer.purchase_date,
    Computer.last_audit,
    Computer.retired_on,
    Certificate.issued_on,
)


def latest_data_date(session: Session, *, today: date, zone: ZoneInfo) -> date:
    """The newest day any record describes (a purchase, an audit, a retirement, a
    certificate issued, the last day of a service report's period, a probe round in
    `zone`), never after `today`; `today` when nothing is recorded."""
    days: list[date] = []
    for column in DAY_COLUMNS:
        newest = session.execute(select(func.max(col(column)))).scalar()
        if isinstance(newest, date):
            days.append(newest)
    for period in session.execute(select(col(ServiceFigure.period)).distinct()).scalars():
        try:
            days.append(period_bounds(period)[1])
        except PeriodError:  # stored periods are canonical; an odd one says nothing
            continue
    last_round = session.execute(select(func.max(col(ProbeResult.started_at)))).scalar()
    if isinstance(last_round, datetime):
        days.append(last_round.astimezone(zone).date())
    return min(max(days), today) if days else today
