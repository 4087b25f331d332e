"""The raw counts behind every indicator: a few GROUP BY queries, one row per agency or point.

Indicators are ratios of these counts, so each figure can be traced back to the records it
counted (see `traceability` in docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from inventory.models import (
    Agency,
    Certificate,
    Computer,
    ComputerStatus,
    ServiceFigure,
)


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
