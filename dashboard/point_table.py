"""Points as a table for people: worst first, statuses in words, shares as percentages,
times in the display zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.i18n import column_label, status_label, tr
from dashboard.point_status import STATUSES

DECIMALS = {"loss_pct": 1, "rtt_median_ms": 1, "availability_24h_pct": 1}


def worst_first(points: pd.DataFrame) -> pd.DataFrame:
    """Down, degraded, no data, up; within a status, the least available first."""
    order = {status: i for i, status in enumerate(STATUSES)}
    ranked = points.assign(
        _status=points["status"].map(order), _avail=points["availability_24h"].fillna(-1.0)
    )
    ranked = ranked.sort_values(["_status", "_avail", "loss", "code"], na_position="last")
    return ranked.drop(columns=["_status", "_avail"]).reset_index(drop=True)


def point_table(points: pd.DataFrame, *, lang: str, zone: ZoneInfo) -> pd.DataFrame:
    """The display table: labelled columns in the page's language, worst first."""
    ranked = worst_first(points)
    last = pd.to_datetime(ranked["last_check"], utc=True).dt.tz_convert(zone)
    table = pd.DataFrame(
        {
            "point_status": [status_label(s, lang) for s in ranked["status"]],
            "code": ranked["code"],
            "name": ranked["name"],
            "district_name": ranked["district_name"],
            "address": ranked["address"],
            "last_check": last.dt.strftime(
                "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
            ).fillna(tr("never_checked", lang)),
            "loss_pct": 100 * ranked["loss"].astype(float),
            "rtt_median_ms": ranked["rtt_median_ms"].astype(float),
            "availability_24h_pct": 100 * ranked["availability_24h"].astype(float),
        }
    )
    return table.rename(columns={c: column_label(c, lang) for c in table.columns})


def display_decimals(lang: str) -> dict[str, int]:
    return {column_label(c, lang): d for c, d in DECIMALS.items()}
