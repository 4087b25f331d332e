"""The computer inventory as one flat table: each machine with its agency and place."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from dashboard.queries.units import unit_frame
from inventory.models import Agency, Computer

COLUMNS = [
    "asset_tag", "kind", "manufacturer", "model", "os", "ram_gb", "purchase_year",
    "status", "internet", "agency_name", "agency_kind", "unit_code", "unit_name",
    "district_code", "district_name", "os_upgrade_blocker", "notes",
]  # fmt: skip


def computer_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(
            col(Computer.asset_tag),
            col(Computer.kind),
            col(Computer.manufacturer),
            col(Computer.model),
            col(Computer.os),
            col(Computer.ram_gb),
            col(Computer.purchase_year),
            col(Computer.status),
            col(Computer.internet),
            col(Agency.name),
            col(Agency.kind),
            col(Agency.unit_code),
            col(Computer.os_upgrade_blocker),
            col(Computer.notes),
        )
        .join(Agency, col(Agency.id) == col(Computer.agency_id))
        .order_by(col(Computer.asset_tag))
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "asset_tag",
            "kind",
            "manufacturer",
            "model",
            "os",
            "ram_gb",
            "purchase_year",
            "status",
            "internet",
            "agency_name",
            "agency_kind",
            "unit_code",
            "os_upgrade_blocker",
            "notes",
        ],  # fmt: skip
    )
    for column in ("kind", "status", "agency_kind"):
        frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    frame["purchase_year"] = frame["purchase_year"].astype("Int64")
    frame["ram_gb"] = frame["ram_gb"].astype(float)
    units = unit_frame(session).set_index("code")
    frame["unit_name"] = frame["unit_code"].map(units["name"])
    frame["district_code"] = frame["unit_code"].map(units["district_code"])
    frame["district_name"] = frame["district_code"].map(units["name"])
    return frame[COLUMNS]


def computers_by_age(frame: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Computers in use per age in whole years in `year` (unknown purchase year left out, and
    those bought after it)."""
    bought = frame["purchase_year"].notna() & (frame["purchase_year"] <= year)
    in_use = frame[(frame["status"] == "in_use") & bought.fillna(False)]
    ages = (year - in_use["purchase_year"]).clip(lower=0).astype(int)
    counts = ages.value_counts().sort_index()
    return pd.DataFrame({"age_years": counts.index.astype(int), "computers": counts.to_numpy()})
