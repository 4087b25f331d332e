"""The website counts behind the website indicators: per active website, whether it was
measured, reached, served a certificate a browser accepts, and was updated within 30 days.

A website counts as measured at a date when its own agent checked it in the 30 days up to
the end of the date; its state is that latest check's (the probes' rule,
`probes.history.website_status`). The window is 30 days, not the hour after which the
dashboard calls a check stale, because an indicator describes a period: a site the scheduler
checks once a day must not drop out of a report between two checks.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from inventory.models import Agency, Website, WebsiteCheck, WebsiteKind, certificate_valid
from inventory.settings import get_settings
from probes.history.website_status import FAILING, UP, website_status

# A website updated fewer days than this before the date counts as kept up to date.
FRESH_DAYS = 30
# How far back a check still says how a website is at the date.
MEASURED_WINDOW = timedelta(days=30)
COLUMNS = [
    "website_id", "agency_id", "commune", "measured", "reachable", "valid_certificate",
    "updated_30d",
]  # fmt: skip


def last_updated(check: WebsiteCheck, zone: ZoneInfo) -> date | None:
    """The day a page was last updated: its Last-Modified header (that day where it is
    read, in `zone`), else the newest date written in the page; None when neither is known."""
    if check.last_modified is not None:
        return check.last_modified.astimezone(zone).date()
    return check.page_date


def latest_checks_until(
    session: Session, *, until: datetime, since: datetime, unit_codes: Collection[str] | None
) -> list[tuple[Website, WebsiteCheck | None]]:
    """Every active website (of agencies in `unit_codes`, else all) with its newest check by
    its own agent in (since, until], or None."""
    own_in_window = and_(
        col(WebsiteCheck.website_id) == col(Website.id),
        col(WebsiteCheck.agent) == col(Website.agent),
        col(WebsiteCheck.checked_at) > since,
        col(WebsiteCheck.checked_at) <= until,
    )
    newest = (
        select(col(Website.id).label("website_id"), func.max(WebsiteCheck.checked_at).label("at"))
        .join(WebsiteCheck, own_in_window)
        .group_by(col(Website.id))
        .subquery()
    )
    wanted = select(Website, WebsiteCheck).where(col(Website.active).is_(True))
    if unit_codes is not None:
        wanted = wanted.join(Agency, col(Agency.id) == col(Website.agency_id)).where(
            col(Agency.unit_code).in_(sorted(unit_codes))
        )
    statement = (
        wanted.outerjoin(newest, newest.c.website_id == col(Website.id))
        .outerjoin(
            WebsiteCheck,
            and_(own_in_window, col(WebsiteCheck.checked_at) == newest.c.at),
        )
        .order_by(col(Website.id))
    )
    return [(website, check) for website, check in session.execute(statement).all()]


def website_counts(
    session: Session,
    *,
    at: date,
    unit_codes: Collection[str] | None = None,
) -> pd.DataFrame:
    """Per active website (columns `COLUMNS`): its agency, whether it is a commune's site,
    and 1.0 / 0.0 flags: measured (checked in the 30 days up to the date), reachable (an HTTP
    answer below 400: up or failing), with a valid certificate and updated within 30 days
    (both among the reachable ones, NaN otherwise: a site that does not answer says nothing
    of its certificate or its content). A plain-HTTP site has no valid certificate.
    """
    zone = get_settings().zone
    now = datetime.now(UTC)
    end = now if at >= now.date() else datetime.combine(at, time.max, tzinfo=UTC)
    found = latest_checks_until(
        session, until=end, since=end - MEASURED_WINDOW, unit_codes=unit_codes
    )
    nan = float("nan")
    oldest_fresh = end.astimezone(zone).date() - timedelta(days=FRESH_DAYS)
    rows = []
    for website, check in found:
        measured = reachable = valid = fresh = nan
        if check is not None:
            measured = 1.0
            status = website_status(check)
            reachable = float(status in (UP, FAILING))
            if reachable:
                valid = float(
                    certificate_valid(
                        trusted=check.cert_trusted,
                        valid_name=check.cert_valid_name,
                        not_after=check.cert_not_after,
                        at=check.checked_at,
                    )
                    is True
                )
                updated = last_updated(check, zone)
                fresh = float(updated is not None and updated >= oldest_fresh)
        rows.append(
            (
                website.id,
                website.agency_id,
                website.kind == WebsiteKind.commune_site,
                measured,
                reachable,
                valid,
                fresh,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)
