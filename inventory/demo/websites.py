"""Synthetic websites for the demo's agencies, with 30 days of synthetic check results
ending at the demo's last round.

Every agency open on the demo's last day that has a website address gets it as a website
(a commune's site, or an agency's), marked synthetic: `ictr probe run` never checks them
(their addresses are made up). One check every CHECK_HOURS by the default agent, shaped by
the agency's readiness: remote communes' sites fail more often, are slower, more often
serve a certificate browsers refuse (expired during the month, self-signed) and go longer
without an update. The checks are part of the synthetic dataset (`meta` dataset marker);
their span is recorded under HISTORY_KEY. No incident is written: the probes derive
incidents from live checks only.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session, col

from inventory.demo import targets
from inventory.importing.websites import guess_kind
from inventory.models import Meta, Website, WebsiteCheck
from inventory.upsert import UpsertCounts, upsert_by_key

CHECK_HOURS = 3
DAYS = 30
HISTORY_KEY = "demo_website_history"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # where the demo's pages are written
_NULLABLE = (
    "status_code", "dns_ms", "connect_ms", "tls_ms", "first_byte_ms", "total_ms", "final_url",
    "tls_version", "cert_valid_name", "cert_trusted", "cert_self_signed", "cert_not_after",
    "last_modified", "page_date", "error",
)  # fmt: skip


def check_times() -> list[datetime]:
    step = timedelta(hours=CHECK_HOURS)
    count = DAYS * 24 // CHECK_HOURS
    return [targets.LAST_ROUND - step * n for n in reversed(range(count))]


def _open_on(agency: Mapping[str, Any], day: date) -> bool:
    start, end = agency.get("valid_from"), agency.get("valid_to")
    return (start is None or start <= day) and (end is None or end >= day)


def _site_rows(agencies: list[dict[str, Any]], ids: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "agency_id": ids[a["code"]],
            "url": a["website"],
            "kind": guess_kind(a["kind"]),
            "agent": "",
            "synthetic": True,
            "active": True,
        }
        for a in agencies
        if a.get("website") and _open_on(a, targets.LAST_DAY)
    ]


def _checks(site_id: int, url: str, r: float, rng: random.Random) -> list[dict[str, Any]]:
    """One site's checks; `r` is its agency's readiness (1.0: the provincial city)."""
    end = targets.LAST_ROUND
    # The certificate: most valid for months; some expire during the month, some are
    # self-signed (a commune's own server), the remoter the likelier.
    roll = rng.random()
    self_signed = roll < 0.10 * (1 - r)
    if roll > 1 - 0.25 * (1 - r):
        not_after = end - timedelta(days=rng.uniform(1, 25))  # expired during the month
    else:
        not_after = end + timedelta(days=rng.uniform(20, 360))
    # Updates: the provincial city's pages every few days, remote communes' rarely.
    gap_days = 2 + 150 * (1 - r) ** 1.5 * rng.uniform(0.5, 1.5)
    last_update = end - timedelta(days=rng.uniform(0, gap_days))
    down_chance = 0.01 + 0.2 * (1 - r) ** 2
    # Some remote sites are down at the end of the month, for a few hours to a day or more.
    outage_from = end + timedelta(hours=1)
    if rng.random() < 0.4 * (1 - r):
        outage_from = end - timedelta(hours=rng.uniform(3, 40))
    base_ms = 20 + 400 * (1 - r) ** 1.5
    rows = []
    for at in check_times():
        up = rng.random() >= down_chance and at < outage_from
        # Every row names every column: one multi-row INSERT needs the same keys throughout.
        row: dict[str, Any] = dict.fromkeys(_NULLABLE) | dict(
            website_id=site_id,
            agent="",
            checked_at=at,
            up=up,
            http_to_https=True,
            redirects=0,
            bytes_read=0,
        )
        slow = base_ms * rng.uniform(0.8, 1.6)
        if up:
            updated = min(last_update, at)
            row |= dict(
                status_code=200,
                dns_ms=round(rng.uniform(0.5, 4), 3),
                connect_ms=round(slow * 0.15, 3),
                tls_ms=round(slow * 0.3, 3),
                first_byte_ms=round(slow, 3),
                total_ms=round(slow * 1.4, 3),
                bytes_read=rng.randint(20_000, 400_000),
                final_url=url,
                tls_version="TLSv1.3" if r > 0.8 else "TLSv1.2",
                cert_valid_name=True,
                cert_trusted=not self_signed,
                cert_self_signed=self_signed,
                cert_not_after=not_after,
                # Half the servers send Last-Modified; the others' pages carry their date.
                last_modified=updated if site_id % 2 == 0 else None,
                page_date=None if site_id % 2 == 0 else updated.astimezone(LOCAL).date(),
            )
        elif rng.random() < 0.5:
            row |= dict(status_code=503, total_ms=round(slow, 3), error="HTTP 503")
        else:
            row |= dict(error="timed out", total_ms=10_000.0)
        rows.append(row)
    return rows


def load_websites(
    session: Session,
    agencies: list[dict[str, Any]],
    readiness: Mapping[str, float],
    ids: Mapping[str, int],
) -> UpsertCounts:
    """Store the sites, then their checks unless they are all there already (running the
    demo twice changes nothing); a partial history is replaced whole. Returns the checks'
    counts."""
    sites = _site_rows(agencies, ids)
    upsert_by_key(session, Website, ("agency_id", "url"), sites)
    stored = {
        (agency_id, url): site_id
        for site_id, agency_id, url in session.execute(
            select(col(Website.id), col(Website.agency_id), col(Website.url)).where(
                col(Website.synthetic).is_(True)
            )
        )
    }
    code_of = {agency_id: code for code, agency_id in ids.items()}
    times = check_times()
    site_ids = sorted(stored[(s["agency_id"], s["url"])] for s in sites)
    in_span = (
        col(WebsiteCheck.website_id).in_(site_ids),
        col(WebsiteCheck.agent) == "",
        col(WebsiteCheck.checked_at) >= times[0],
        col(WebsiteCheck.checked_at) <= times[-1],
    )
    expected = len(times) * len(site_ids)
    found = session.execute(select(func.count()).select_from(WebsiteCheck).where(*in_span))
    if found.scalar_one() == expected:
        return UpsertCounts(unchanged=expected)
    session.execute(delete(WebsiteCheck).where(*in_span))
    rng = random.Random(targets.SEED_2026 + 2)
    rows = []
    for (agency_id, url), site_id in sorted(stored.items(), key=lambda item: item[1]):
        if site_id in site_ids:
            rows += _checks(site_id, url, readiness[code_of[agency_id]], rng)
    table = WebsiteCheck.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), 20_000):
        session.execute(insert(table), rows[start : start + 20_000])
    span = f"{times[0].isoformat()}/{times[-1].isoformat()}"
    meta = session.get(Meta, HISTORY_KEY)
    if meta is None:
        session.add(Meta(key=HISTORY_KEY, value=span))
    else:
        meta.value = span
    return UpsertCounts(new=len(rows))
