"""Import agencies, matched by code, else by name (within the unit when one is given).

Empty cells keep what is stored; a new agency needs a name and a unit. A name typed without
diacritics matches the stored name but does not replace its spelling.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlmodel import Session, select

from inventory.errors import IctrError
from inventory.importing.agency_match import guess_agency_kind
from inventory.importing.fields import INVALID, Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import (
    BadValue,
    agency_kind,
    boolean,
    head_counts,
    text,
    website,
    whole,
)
from inventory.importing.websites import add_agency_websites
from inventory.models import Agency
from inventory.text_keys import compact, fold
from inventory.upsert import UpsertCounts, upsert_by_key

_FIELDS = (
    "code",
    "name",
    "kind",
    "unit_code",
    "officials",
    "signing_officials",
    "website",
    "e_office",
    "one_stop_connected",
)
# The agency's systems: an empty cell keeps what is stored (None, "not reported", if new).
_SYSTEMS = {"website": website, "e_office": boolean, "one_stop_connected": boolean}


def import_agencies(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    codes = fields.parse("code", partial(text, max_length=40))
    names = fields.parse("name", partial(text, max_length=200))
    kinds = fields.parse("kind", agency_kind)
    officials = fields.parse("officials", whole)
    signing = fields.parse("signing_officials", whole)
    systems = {name: fields.parse(name, parser) for name, parser in _SYSTEMS.items()}
    units = UnitMatcher.load(session, options)
    unit_codes = row_units(fields, units)
    default_unit = None
    if options.unit:
        try:
            default_unit = units.find(options.unit)
        except BadValue as exc:
            raise IctrError(f"--unit {options.unit!r}: {exc}") from None

    stored: dict[int, dict[str, Any]] = {
        a.id: {f: getattr(a, f) for f in _FIELDS}
        for a in session.exec(select(Agency)).all()
        if a.id is not None
    }
    by_code = {compact(a["code"]): i for i, a in stored.items() if a["code"]}
    by_name: dict[str, list[int]] = {}
    for stored_id, a in stored.items():
        by_name.setdefault(fold(a["name"]), []).append(stored_id)

    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for i in range(len(fields)):
        if i in fields.bad:
            continue
        code, name, unit = codes[i], names[i], unit_codes[i]
        if code is None and name is None:
            fields.fail(i, "name", None, "both the name and the code are empty")
            continue
        agency_id: int | None
        try:
            agency_id = _match(code, name, unit, stored, by_code, by_name)
        except BadValue as exc:
            fields.fail(i, "name" if fields.has("name") else "code", name or code, str(exc))
            continue
        if agency_id is None:
            row = _new_row(fields, i, code, name, unit or default_unit, kinds[i])
            if row is None:
                continue
        else:
            row = dict(stored[agency_id], id=agency_id)
            if code is not None:
                row["code"] = code
            if name is not None and not (name.isascii() and fold(name) == fold(row["name"])):
                row["name"] = name
            if unit is not None:
                row["unit_code"] = unit
            if kinds[i] is not None:
                row["kind"] = kinds[i]
        if officials[i] is not None:
            row["officials"] = officials[i]
        if signing[i] is not None:
            row["signing_officials"] = signing[i]
        for name, parsed in systems.items():
            if parsed[i] is not None:
                row[name] = parsed[i]
        try:
            head_counts(row["officials"], row["signing_officials"])
        except BadValue as exc:
            fields.fail(
                i,
                "signing_officials" if fields.has("signing_officials") else "officials",
                row["signing_officials"],
                str(exc),
            )
            continue
        if not _unique(fields, i, row, agency_id, seen_codes, seen_names, by_code, by_name, stored):
            continue
        (updates if agency_id is not None else inserts).append(row)
    if report.errors:
        return
    counts = upsert_by_key(session, Agency, "id", updates)
    added = upsert_by_key(session, Agency, ("unit_code", "name"), inserts)
    report.websites_added = add_agency_websites(
        session, [(row["unit_code"], row["name"]) for row in (*updates, *inserts)]
    )
    report.counts = UpsertCounts(
        new=counts.new + added.new,
        updated=counts.updated + added.updated,
        unchanged=counts.unchanged + added.unchanged,
    )


def _match(
    code: str | None,
    name: str | None,
    unit: str | None,
    stored: dict[int, dict[str, Any]],
    by_code: dict[str, int],
    by_name: dict[str, list[int]],
) -> int | None:
    """The stored agency a row describes, or None for a new one."""
    if code is not None and compact(code) in by_code:
        return by_code[compact(code)]
    if name is None:
        return None
    candidates = by_name.get(fold(name), [])
    if code is not None:  # a code we do not know may still name an agency stored without one
        candidates = [c for c in candidates if not stored[c]["code"]]
    if unit is not None:
        candidates = [c for c in candidates if stored[c]["unit_code"] == unit]
    if len(candidates) > 1:
        where = ", ".join(sorted(stored[c]["unit_code"] for c in candidates))
        raise BadValue(f"several agencies have this name (units {where}): give the unit or code")
    return candidates[0] if candidates else None


def _new_row(
    fields: Fields, i: int, code: str | None, name: str | None, unit: Any, kind: Any
) -> dict[str, Any] | None:
    if name is None:
        fields.fail(i, "name", None, "a new agency needs a name")
        return None
    if unit is None or unit is INVALID:
        if unit is None:
            fields.fail(i, "unit", None, "a new agency needs a unit (fill a unit column or --unit)")
        return None
    return dict(
        code=code,
        name=name,
        kind=kind if kind is not None else guess_agency_kind(name),
        unit_code=unit,
        officials=0,
        signing_officials=0,
        website=None,
        e_office=None,
        one_stop_connected=None,
    )


def _unique(
    fields: Fields,
    i: int,
    row: dict[str, Any],
    agency_id: int | None,
    seen_codes: dict[str, int],
    seen_names: dict[tuple[str, str], int],
    by_code: dict[str, int],
    by_name: dict[str, list[int]],
    stored: dict[int, dict[str, Any]],
) -> bool:
    """No two rows, nor a row and another stored agency, may share a code or unit+name."""
    number = fields.numbers[i]
    if row["code"]:
        key = compact(row["code"])
        if key in seen_codes:
            fields.fail(i, "code", row["code"], f"code repeated (first on row {seen_codes[key]})")
            return False
        seen_codes[key] = number
        other = by_code.get(key)
        if other is not None and other != agency_id:
            fields.fail(i, "code", row["code"], f"code belongs to {stored[other]['name']!r}")
            return False
    name_key = (row["unit_code"], fold(row["name"]))
    if name_key in seen_names:
        fields.fail(i, "name", row["name"], f"same agency and unit as row {seen_names[name_key]}")
        return False
    seen_names[name_key] = number
    clash = [
        c
        for c in by_name.get(name_key[1], [])
        if c != agency_id and stored[c]["unit_code"] == row["unit_code"]
    ]
    if clash:
        fields.fail(i, "name", row["name"], "another agency in this unit has this name")
        return False
    return True
