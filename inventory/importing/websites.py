"""Import websites and e-service portals to check, matched by agency and address.

Each row names an agency (code or name), an http(s) address and, optionally, its kind
(portal, agency site, commune site, public-service portal; guessed from the agency when
empty), the probe agent and whether it is checked. An address the rule of
`inventory.probe_address.web_url_problem` refuses is an error of its row. Agencies' own
website column (`ictr import agencies`) adds their websites here too (`add_agency_websites`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from inventory.importing.agency_columns import RowAgencies
from inventory.importing.fields import INVALID, Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import BadValue, boolean, text
from inventory.models import Agency, AgencyKind, Website, WebsiteKind
from inventory.probe_address import web_url_problem
from inventory.text_keys import fold
from inventory.upsert import upsert_by_key

KIND_WORDS: dict[WebsiteKind, tuple[str, ...]] = {
    WebsiteKind.portal: (
        "cổng thông tin điện tử",
        "cổng thông tin",
        "cổng ttđt",
        "cổng",
        "portal",
        "web portal",
    ),
    WebsiteKind.agency_site: (
        "trang thông tin điện tử",
        "trang ttđt",
        "trang thông tin",
        "website",
        "agency site",
        "agency website",
    ),
    WebsiteKind.commune_site: (
        "trang thông tin điện tử cấp xã",
        "trang ttđt cấp xã",
        "trang thông tin cấp xã",
        "website xã",
        "trang xã",
        "cấp xã",
        "commune site",
        "commune website",
    ),
    WebsiteKind.service_portal: (
        "cổng dịch vụ công",
        "cổng dvc",
        "hệ thống một cửa điện tử",
        "một cửa điện tử",
        "hệ thống thông tin giải quyết thủ tục hành chính",
        "dịch vụ công",
        "public-service portal",
        "public service portal",
        "service portal",
        "one-stop shop",
    ),
}
_KINDS = {
    fold(alias): kind
    for kind, aliases in KIND_WORDS.items()
    for alias in (kind.value, kind.value.replace("_", " "), *aliases)
}


def website_kind(value: object) -> WebsiteKind:
    found = _KINDS.get(fold(str(value)))
    if found is None:
        raise BadValue(
            "unknown kind (cổng thông tin điện tử/portal, trang thông tin điện tử/agency site, "
            "trang cấp xã/commune site, cổng dịch vụ công/public-service portal)"
        )
    return found


def web_url(value: object) -> str:
    """An http(s) address a check may be sent to."""
    url = text(value, max_length=500)
    problem = web_url_problem(url)
    if problem:
        raise BadValue(problem)
    return url


def guess_kind(agency_kind: AgencyKind) -> WebsiteKind:
    """An agency's own site: a commune's, or another agency's."""
    if agency_kind == AgencyKind.commune_committee:
        return WebsiteKind.commune_site
    return WebsiteKind.agency_site


def import_websites(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    urls = fields.parse("url", web_url)
    kinds = fields.parse("kind", website_kind)
    agents = fields.parse("agent", partial(text, max_length=64))
    actives = fields.parse("active", boolean)
    units = UnitMatcher.load(session)
    agencies = RowAgencies(session, options, units)
    agency_ids = agencies.resolve(fields, row_units(fields, units))
    agency_kinds = {a.id: a.kind for a in session.exec(select(Agency)).all()}
    stored = {
        (w.agency_id, w.url): {"kind": w.kind, "agent": w.agent, "active": w.active}
        for w in session.exec(select(Website)).all()
    }
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], int] = {}
    for i in range(len(fields)):
        if i in fields.bad:
            continue
        url, agency_id = urls[i], agency_ids[i]
        if url is None:
            fields.fail(i, "url", None, "the address is empty")
            continue
        if agency_id is None:
            column = "agency" if fields.has("agency") else "agency_code"
            fields.fail(i, column, None, "no agency (fill the agency column or give --agency)")
            continue
        if url is INVALID or agency_id is INVALID:
            continue
        key = (agency_id, url)
        if key in seen:
            fields.fail(i, "url", url, f"same agency and address as row {seen[key]}")
            continue
        seen[key] = fields.numbers[i]
        row: dict[str, Any] = {"agency_id": agency_id, "url": url}
        before = stored.get(key)
        if kinds[i] is not None:
            row["kind"] = kinds[i]
        elif before is None:
            row["kind"] = guess_kind(agency_kinds.get(agency_id, AgencyKind.other))
        if agents[i] is not None:
            row["agent"] = agents[i]
        elif before is None or fields.has("agent"):
            row["agent"] = ""
        if actives[i] is not None:
            row["active"] = actives[i]
        elif before is None:
            row["active"] = True
        if before is None:
            row["synthetic"] = False
        rows.append(row)
    if report.errors:
        return
    ids = agencies.insert_new(session)
    report.created_agencies = agencies.created_names
    for row in rows:
        if row["agency_id"] < 0:
            row["agency_id"] = ids[row["agency_id"]]
            row.setdefault("kind", WebsiteKind.agency_site)
    report.counts = upsert_by_key(session, Website, ("agency_id", "url"), rows)


def add_agency_websites(session: Session, imported: Iterable[tuple[str, str]]) -> int:
    """Add a website for each imported agency ((unit code, name) as stored) whose website
    column names one not yet known; returns how many were added. Only the imported agencies:
    the demo's agencies have made-up addresses that must never be checked. A website no
    longer named is kept (its history with it)."""
    wanted = set(imported)
    known = {(w.agency_id, w.url) for w in session.exec(select(Website)).all()}
    new = [
        {
            "agency_id": agency.id,
            "url": agency.website,
            "kind": guess_kind(agency.kind),
            "agent": "",
            "synthetic": False,
            "active": True,
        }
        for agency in session.exec(select(Agency)).all()
        if (agency.unit_code, agency.name) in wanted
        and agency.website
        and (agency.id, agency.website) not in known
    ]
    if new:
        session.execute(insert(Website), new)
    return len(new)
