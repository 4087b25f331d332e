"""The raw counts behind every indicator: a few GROUP BY queries, one row per agency or point.

Indicators are ratios of these counts, so each figure can be traced back to the records it
counted (see `traceability` in docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from inventory.lifecycle.in_service import in_service_on
from inventory.models import (
    Agency,
    Certificate,
    Computer,
    ServiceFigure,
)
from inventory.models.certificates import valid_on
from inventory.models.services import SERVICE_COUNTS
from inventory.periods import period_bounds

# Certificates expiring within this many days of the date are due for renewal.
EXPIRY_WARNING_DAYS = 90


def _frame(session: Session, statement: Any, columns: list[str]) -> pd.DataFrame:
    """Run a query into a DataFrame; plain tuples build one several times faster than Rows."""
    return pd.DataFrame([tuple(row) for row in session.execute(statement)], columns=columns)


def _agency_ids(unit_codes: Collection[str]) -> Any:
    """The ids of the agencies sitting in these units (a scope)."""
    return select(col(Agency.id)).where(col(Agency.unit_code).in_(sorted(unit_codes)))


def agency_counts(
    session: Session,
    *,
    at: date,
    life_years: Mapping[str, int],
    os_supported: Callable[[str | None, date], bool],
    unit_codes: Collection[str] | None = None,
) -> pd.DataFrame:
    """Per agency: officials, signers, its systems (website, e-office, connected one-stop shop;
    None when not reported), and counts of its computers in use on `at` (bought by then, not
    retired by then: `inventory.lifecycle.in_service`).

    `unit_codes`: only the agencies sitting in these units (and their computers), else all.

    The OS verdict (supported on `at` or not) is taken once per distinct OS name, in Python,
    from the lifecycle policy; the supported names then count in the one pass over the
    computers, grouped by agency.
    """
    in_use = in_service_on(at)
    scoped: list[ColumnElement[bool]] = []
    agencies = select(
        col(Agency.id),
        col(Agency.code),
        col(Agency.name),
        col(Agency.kind),
        col(Agency.unit_code),
        col(Agency.officials),
        col(Agency.signing_officials),
        col(Agency.website),
        col(Agency.e_office),
        col(Agency.one_stop_connected),
    ).order_by(col(Agency.id))
    if unit_codes is not None:
        scoped.append(col(Computer.agency_id).in_(_agency_ids(unit_codes)))
        agencies = agencies.where(col(Agency.unit_code).in_(sorted(unit_codes)))
    # Every computer's OS name, in use or not: a verdict too many costs nothing, and the scan
    # without the status test is cheaper.
    names = session.execute(select(col(Computer.os)).where(*scoped).distinct()).scalars()
    verdicts = {name: os_supported(name, at) for name in names}
    supported = sorted(name for name, ok in verdicts.items() if ok and name is not None)
    supported_os: ColumnElement[bool] = col(Computer.os).in_(supported)
    if verdicts.get(None):  # a policy may count unrecorded OSes as supported
        supported_os = or_(supported_os, col(Computer.os).is_(None))
    # Within life: at.year - purchase_year < life, i.e. bought after the year below.
    bought_after = case(
        {kind: at.year - years for kind, years in life_years.items()},
        value=col(Computer.kind),
        else_=literal(at.year - 5),
    )
    # `agency_id + 0`: grouping on the bare column makes SQLite walk the agency_id index and
    # fetch each computer's row from wherever it lies (one random page read per computer);
    # a plain scan then a sort costs the same whatever the order the rows were written in.
    agency = (col(Computer.agency_id) + 0).label("agency_id")
    counts = [
        tuple(row)  # plain tuples: numpy reads Rows one element at a time, 50x slower
        for row in session.execute(
            select(
                agency,
                func.count(),
                func.count().filter(col(Computer.internet).is_(True)),
                func.count().filter(col(Computer.purchase_year) > bought_after),
                func.count(col(Computer.purchase_year)),
                func.coalesce(func.sum(col(Computer.purchase_year)), 0),
                func.count().filter(supported_os),
            )
            .where(in_use, *scoped)
            .group_by(agency)
        )
    ]
    frame = _frame(
        session,
        agencies,
        [
            "agency_id",
            "code",
            "name",
            "kind",
            "unit_code",
            "officials",
            "signing_officials",
            "website",
            "e_office",
            "one_stop_connected",
        ],
    )
    # Each agency's row of counts put in place (0 for an agency without computers in use).
    table = np.zeros((len(frame), len(COUNT_COLUMNS)), dtype=np.int64)
    if counts:
        found = np.array(counts, dtype=np.int64)
        rows = pd.Index(frame["agency_id"]).get_indexer(found[:, 0])
        table[rows[rows >= 0]] = found[rows >= 0, 1:]
    frame[COUNT_COLUMNS] = table
    frame["kind"] = frame["kind"].astype(str)
    return frame


COUNT_COLUMNS = [
    "computers_in_use",
    "computers_internet",
    "computers_within_life",
    "computers_known_age",
    "purchase_year_sum",
    "computers_supported_os",
]


def certificate_counts(
    session: Session, *, at: date, unit_codes: Collection[str] | None = None
) -> pd.DataFrame:
    """Per agency: certificates valid on `at` (`valid_on`: issued, not expired, not revoked
    or suspended), and those of them that expire within EXPIRY_WARNING_DAYS of `at`.

    `unit_codes`: only the agencies sitting in these units, else all.
    """
    valid = valid_on(at)
    if unit_codes is not None:
        valid = and_(valid, col(Certificate.agency_id).in_(_agency_ids(unit_codes)))
    soon = at + timedelta(days=EXPIRY_WARNING_DAYS)
    rows = session.execute(
        select(
            col(Certificate.agency_id),
            func.count(),
            func.count().filter(col(Certificate.expires_on) <= soon),
        )
        .where(valid)
        .group_by(col(Certificate.agency_id))
    ).all()
    columns = ["certificates_valid", "certificates_expiring"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["agency_id", *columns])
    return frame.set_index("agency_id").astype("int64")


def service_counts(
    session: Session, *, at: date, unit_codes: Collection[str] | None = None
) -> pd.DataFrame:
    """Per agency (and unit reported for), the figures of its latest period that ended on or
    before `at`, with that period.

    A period is a year ("2020"), a quarter ("2026Q4") or a month ("2026-11"); when a year
    and its last quarter or month end on the same day, the year's figures are taken (they
    cover the most). `unit_code` is where the figures belong: the unit their agency sits in,
    else the unit they were reported for. `unit_codes`: only figures belonging there.
    `period_rank` orders the periods (a higher rank is the later, or the longer on the same
    last day), so that a successor's figures can be weighed against its predecessors'.
    """
    belongs = func.coalesce(col(Agency.unit_code), col(ServiceFigure.unit_code))
    columns = ["unit_code", "agency_id", "period", "period_rank", *SERVICE_COUNTS]
    # The periods are few (tens): rank the ended ones in Python, latest end first, then the
    # longest; the database then keeps each agency's best-ranked row in one pass.
    periods = session.execute(select(col(ServiceFigure.period)).distinct()).scalars().all()
    ended = sorted(
        (p for p in periods if period_bounds(p)[1] <= at),
        key=lambda p: (period_bounds(p)[1], -period_bounds(p)[0].toordinal()),
    )
    if not ended:  # numeric columns even when empty: they must still sum
        return pd.DataFrame({c: pd.Series(dtype="float") for c in columns})
    by_rank = dict(enumerate(ended, 1))
    rank = case({p: n for n, p in by_rank.items()}, value=col(ServiceFigure.period))
    best = (
        select(
            col(ServiceFigure.agency_id).label("agency_id"),
            col(ServiceFigure.unit_code).label("unit_code"),
            func.max(rank).label("rank"),
        )
        .where(col(ServiceFigure.period).in_(ended))
        .group_by(col(ServiceFigure.agency_id), col(ServiceFigure.unit_code))
        .subquery()
    )
    # Back from each agency's best rank to its period: one CASE per agency, not per row.
    best_period = case(by_rank, value=best.c.rank)
    query = (
        select(
            belongs,
            col(ServiceFigure.agency_id),
            col(ServiceFigure.period),
            best.c.rank,
            *[getattr(ServiceFigure, c) for c in SERVICE_COUNTS],
        )
        .join(
            best,
            and_(
                col(ServiceFigure.agency_id).is_not_distinct_from(best.c.agency_id),
                col(ServiceFigure.unit_code) == best.c.unit_code,
                col(ServiceFigure.period) == best_period,
            ),
        )
        .join(Agency, col(Agency.id) == col(ServiceFigure.agency_id), isouter=True)
    )
    if unit_codes is not None:
        query = query.where(belongs.in_(sorted(unit_codes)))
    return _frame(session, query, columns)
