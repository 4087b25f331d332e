"""Import connection points of the government data network, matched by code.

The unit comes from a unit column, else from the point's agency. Empty cells clear optional
values (coordinates, provider, bandwidth) and keep required ones (name, address).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlmodel import Session, select

from inventory.importing.agency_columns import RowAgencies
from inventory.importing.fields import INVALID, Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import (
    bandwidth_mbps,
    boolean,
    host_address,
    latitude,
    longitude,
    probe_method,
    tcp_ports,
    text,
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
_CLEARABLE = {  # column -> value of an empty cell
    "latitude": None,
    "longitude": None,
    "provider": None,
    "bandwidth_mbps": None,
    "tcp_ports": "",
    "agent": "",
}


def import_points(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    codes = fields.parse("code", partial(text, max_length=40))
    values = {
        "name": fields.parse("name", partial(text, max_length=200)),
        "address": fields.parse("address", host_address),
        "tcp_ports": fields.parse("tcp_ports", tcp_ports),
        "latitude": fields.parse("latitude", latitude),
        "longitude": fields.parse("longitude", longitude),
        "provider": fields.parse("provider", partial(text, max_length=100)),
        "bandwidth_mbps": fields.parse("bandwidth_mbps", bandwidth_mbps),
        "probe_method": fields.parse("probe_method", probe_method),
        "agent": fields.parse("agent", partial(text, max_length=64)),
        "active": fields.parse("active", boolean),
    }
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
            fields.fail(i, "code", None, "point code is missing")
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
                column = "unit" if name == "unit_code" else name
                fields.fail(i, column, None, f"a new point needs a {column} ({_HINT[name]})")
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


_HINT = {
    "name": "Tên điểm",
    "address": "Địa chỉ IP",
    "unit_code": "Mã ĐVHC, or an agency whose unit is used",
}
