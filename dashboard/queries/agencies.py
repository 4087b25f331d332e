"""Agencies of a district (its own committee and departments, and its communes'), with
their officials and computers."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Integer, case, func, select
from sqlmodel import Session, col

from dashboard.queries.units import unit_frame
from inventory.lifecycle.in_service import in_service_on
from inventory.models import Agency, Computer

COLUMNS = ["id", "name", "kind", "unit_code", "unit_name", "officials", "signing_officials",
           "computers_in_use", "computers_per_official_pct"]  # fmt: skip


def district_agencies(session: Session, district_code: str, *, at: date) -> pd.DataFrame:
    """The agencies placed in the district, each with its computers in service on `at`."""
    units = unit_frame(session)
    codes = units.loc[units["district_code"] == district_code, "code"].tolist()
    in_use = func.sum(case((in_service_on(at), 1), else_=0)).cast(Integer)
    computers = (
        select(col(Computer.agency_id).label("aid"), in_use.label("n"))
        .group_by(col(Computer.agency_id))
        .subquery()
    )
    rows = session.execute(
        select(
            col(Agency.id),
            col(Agency.name),
            col(Agency.kind),
            col(Agency.unit_code),
            col(Agency.officials),
            col(Agency.signing_officials),
            func.coalesce(computers.c.n, 0),
        )
        .outerjoin(computers, computers.c.aid == col(Agency.id))
        .where(col(Agency.unit_code).in_(codes))
        .order_by(col(Agency.unit_code), col(Agency.name))
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "kind",
            "unit_code",
            "officials",
            "signing_officials",
            "computers_in_use",
        ],  # fmt: skip
    )
    frame["kind"] = frame["kind"].map(str)
    frame["unit_name"] = frame["unit_code"].map(units.set_index("code")["name"])
    officials = frame["officials"].astype(float)
    frame["computers_per_official_pct"] = (
        100 * frame["computers_in_use"] / officials.where(officials > 0)
    )
    return frame[COLUMNS]
