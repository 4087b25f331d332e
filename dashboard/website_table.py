"""Websites as a table for people: worst first, statuses and kinds in words, availability as
percentages, times and days in the display zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.i18n import WEBSITE_KIND, column_label, enum_label, status_label, tr
from dashboard.number_format import is_missing

DECIMALS = {"cert_days_left": 0, "availability_7d_pct": 1, "availability_30d_pct": 1}


def website_table(websites: pd.DataFrame, *, lang: str, zone: ZoneInfo) -> pd.DataFrame:
    """The display table of `dashboard.queries.websites.website_views` (already worst
    first): labelled columns in the page's language."""
    day = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
    last = pd.to_datetime(websites["last_check"], utc=True).dt.tz_convert(zone)
    table = pd.DataFrame(
        {
            "website_status": [status_label(s, lang) for s in websites["status"]],
            "agency_name": websites["agency_name"],
            "url": websites["url"],
            "website_kind": [enum_label(WEBSITE_KIND, k, lang) for k in websites["kind"]],
            "http_status": websites["status_code"].astype("Int64"),
            "cert_days_left": websites["cert_days_left"].astype(float),
            "last_updated": [
                tr("never_updated", lang) if is_missing(d) else d.strftime(day)
                for d in websites["last_updated"]
            ],
            "availability_7d_pct": 100 * websites["availability_7d"].astype(float),
            "availability_30d_pct": 100 * websites["availability_30d"].astype(float),
            "last_check": last.dt.strftime(f"{day} %H:%M").fillna(tr("never_checked", lang)),
        }
    )
    return table.rename(columns={c: column_label(c, lang) for c in table.columns})


def website_decimals(lang: str) -> dict[str, int]:
    return {column_label(c, lang): d for c, d in DECIMALS.items()}
