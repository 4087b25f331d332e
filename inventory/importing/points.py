"""Import connection points of the government data network, matched by code.

The unit comes from a unit column, else from the point's agency. Empty cells clear optional
values (coordinates, provider, bandwidth) and keep required ones (name, address).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from inventory.importing.agency_columns import RowAgencies
from inventory.importing.fields import INVALID, Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import (
    POINT_CLEARABLE,
    POINT_CODE_MISSING,
    POINT_FIELDS,
    point_code,
    point_missing,
)
from inventory.models import ConnectionPoint, ProbeMethod
from inventory.upsert import upsert_by_key

_STORED = (
    "code",
    "name",
    "agency_id",
    "unit_code",
    "latitude",
    "longitude",
    "address",
    "tcp_ports",
    "probe_method",
    "provider",
    "bandwidth_mbps",
    "agent",
    "active",
)
_CLEARABLE = POINT_CLEARABLE  # column -> value of an empty cell


def import_points(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    codes = fields.parse("code", point_code)
    values = {name: fields.parse(name, parser) for name, parser in POINT_FIELDS.items()}
    units = UnitMatcher.load(session, options)
    unit_codes = row_units(fields, units)
    agencies = RowAgencies(session, options, units)
    agency_ids = agencies.resolve(fields, unit_codes)
    stored = {
        p.code: {f: getattr(p, f) for f in _STORED}
        for p in session.exec(select(ConnectionPoint)).all()
    }
    defaults = dict(
        agency_id=None,
        latitude=None,
        longitude=None,
        tcp_ports="",
        probe_method=ProbeMethod.auto,
        provider=None,
        bandwidth_mbps=None,
        agent="",
        active=True,
    )
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code is None:
            fields.fail(i, "code", None, POINT_CODE_MISSING)
            continue
        if code is INVALID or i in fields.bad:
            continue
        if code in seen:
            fields.fail(i, "code", code, f"point code repeated (first on row {seen[code]})")
            continue
        seen[code] = fields.numbers[i]
        row = dict(stored.get(code) or dict(defaults, code=code))
        for name, parsed in values.items():
            if parsed[i] is not None:
                row[name] = parsed[i]
            elif fields.has(name) and name in _CLEARABLE:
                row[name] = _CLEARABLE[name]
        if agency_ids[i] is not None:
            row["agency_id"] = agency_ids[i]
        elif fields.has("agency") or fields.has("agency_code"):
            row["agency_id"] = None
        if unit_codes[i] is not None:
            row["unit_code"] = unit_codes[i]
        elif agency_ids[i] is not None:
            row["unit_code"] = agencies.unit_of(agency_ids[i])
        missing = [n for n in ("name", "address", "unit_code") if not row.get(n)]
        if missing:
            for name in missing:
                column, reason = point_missing(name)
                fields.fail(i, column, None, reason)
            continue
        rows.append(row)
    if report.errors:
        return
    ids = agencies.insert_new(session)
    report.created_agencies = agencies.created_names
    for row in rows:
        if row["agency_id"] is not None and row["agency_id"] < 0:
            row["agency_id"] = ids[row["agency_id"]]
    report.counts = upsert_by_key(session, ConnectionPoint, "code", rows)
