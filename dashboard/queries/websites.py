"""Websites and e-service portals with their status, certificate days left, last update and
availability over 7 and 30 days, and where the map draws them.

The status is the probes' rule (`probes.history.website_status`) on each website's latest
check by its own agent, as `ictr websites` shows it; the dashboard shows a stale, skipped or
missing check as "no data", as it does for points. A website has no coordinates of its own:
the map puts it at its agency's unit, several of one unit on a small ring around it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from inventory.models import AdminUnit, Agency, Website, cert_days_left
from inventory.settings import get_settings
from probes.history.point_status import DOWN, NO_DATA, SKIPPED, STALE, UP
from probes.history.website_history import latest_checks, website_availability
from probes.history.website_status import FAILING, current_website_status
from readiness.indicators.website_counts import last_updated

WEBSITE_STATUSES = (DOWN, FAILING, NO_DATA, UP)  # worst first
WEBSITE_COLOURS = {UP: "#1a9850", FAILING: "#fd8d3c", DOWN: "#d7191c", NO_DATA: "#969696"}
_SHOWN_AS = {SKIPPED: NO_DATA, STALE: NO_DATA}
WINDOWS = {"7d": timedelta(days=7), "30d": timedelta(days=30)}
# Degrees between the sites of one unit and its centre (about 1 km): apart, still inside it.
RING = 0.01
COLUMNS = [
    "id", "agency_name", "url", "kind", "synthetic", "unit_code", "latitude", "longitude",
    "status", "status_code", "last_check", "cert_days_left", "last_updated",
    "availability_7d", "availability_30d", "error",
]  # fmt: skip


def shown_website_status(status: str) -> str:
    """The status as the dashboard shows it (one of `WEBSITE_STATUSES`)."""
    return _SHOWN_AS.get(status, status)


def _spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Several websites of one unit on a ring around its centre, in the table's order."""
    latitude, longitude = frame["latitude"].copy(), frame["longitude"].copy()
    for _, group in frame.groupby("unit_code", sort=False):
        n = len(group)
        if n < 2:
            continue
        for i, index in enumerate(group.index):
            angle = 2 * math.pi * i / n
            latitude[index] += RING * math.cos(angle)
            longitude[index] += RING * math.sin(angle)
    return frame.assign(latitude=latitude, longitude=longitude)


def website_views(session: Session, *, now: datetime) -> pd.DataFrame:
    """One row per active website (columns `COLUMNS`), worst first; availability as shares
    0..1 (NaN: no check in the window), last_updated a date or None."""
    sites = session.execute(
        select(
            Website,
            col(Agency.name),
            col(Agency.unit_code),
            col(AdminUnit.latitude),
            col(AdminUnit.longitude),
        )
        .join(Agency, col(Agency.id) == col(Website.agency_id))
        .outerjoin(AdminUnit, col(AdminUnit.code) == col(Agency.unit_code))
        .where(col(Website.active).is_(True))
        .order_by(col(Agency.name), col(Website.url))
    ).all()
    ids = [w.id for w, *_ in sites if w.id is not None]
    latest = latest_checks(session, ids)
    shares = {
        name: website_availability(session, website_ids=ids, window=span, now=now)
        for name, span in WINDOWS.items()
    }
    zone = get_settings().zone
    records = []
    for website, agency_name, unit_code, latitude, longitude in sites:
        assert website.id is not None
        check = latest.get(website.id)
        status = shown_website_status(current_website_status(check, now=now))
        days = None
        if check is not None and check.cert_not_after is not None:
            days = cert_days_left(check.cert_not_after, now)
        availability = {name: shares[name][website.id].ratio for name in WINDOWS}
        records.append(
            (
                website.id, agency_name, website.url, website.kind.value, website.synthetic,
                unit_code, latitude, longitude, status,
                check.status_code if check else None,
                check.checked_at if check else None,
                days,
                last_updated(check, zone) if check else None,
                *(float("nan") if a is None else a for a in availability.values()),
                check.error if check else None,
            )
        )  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    order = {status: i for i, status in enumerate(WEBSITE_STATUSES)}
    frame = frame.assign(_order=frame["status"].map(order)).sort_values(
        ["_order", "availability_30d", "agency_name", "url"], na_position="last", kind="stable"
    )
    frame = frame.drop(columns="_order").reset_index(drop=True)
    for column in ("latitude", "longitude", "availability_7d", "availability_30d"):
        frame[column] = frame[column].astype(float)
    return _spread(frame)
