"""Import computers, matched by asset tag: new ones are added, changed ones updated.

A column present in the file is the truth for every row: an empty cell clears an optional
value (serial, notes...). Fields that always have a value (kind, status, agency) keep what
is stored when their cell is empty; an empty "Internet" cell means no (files mark it "x").
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from inventory.importing import snipeit
from inventory.importing.agency_columns import RowAgencies
from inventory.importing.fields import INVALID, Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import (
    ASSET_TAG_MISSING,
    COMPUTER_TEXT_LIMITS,
    Purchase,
    amount,
    asset_tag,
    audit_date,
    boolean,
    computer_kind,
    computer_status,
    purchase,
    ram_gb,
    text,
)
from inventory.models import Computer, ComputerKind, ComputerStatus
from inventory.upsert import upsert_by_key

TEXT_LIMITS = COMPUTER_TEXT_LIMITS
_OPTIONAL = ("ram_gb", "purchase_cost", "last_audit")


def import_computers(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    snipe = located.snipeit
    today = options.today or date.today()
    tags = fields.parse("asset_tag", asset_tag)
    texts = {n: fields.parse(n, partial(text, max_length=m)) for n, m in TEXT_LIMITS.items()}
    kinds = _snipeit_kinds(fields, report) if snipe else fields.parse("kind", computer_kind)
    optional = {
        "ram_gb": fields.parse("ram_gb", ram_gb),
        "purchase_cost": fields.parse("purchase_cost", partial(amount, decimal_point=snipe)),
        "last_audit": fields.parse("last_audit", partial(audit_date, today=today)),
    }
    dates = fields.parse("purchase_date", partial(purchase, month_first=snipe, today=today))
    years = fields.parse("purchase_year", partial(purchase, today=today))
    internet = fields.parse("internet", boolean)
    statuses = fields.parse("status", computer_status)
    units = UnitMatcher.load(session, options)
    agencies = RowAgencies(
        session, options, units, fallback_name_column=snipeit.LOCATION if snipe else None
    )
    agency_ids = agencies.resolve(fields, row_units(fields, units))

    has_purchase = fields.has("purchase_date") or fields.has("purchase_year")
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, tag in enumerate(tags):
        if tag is None:
            fields.fail(i, "asset_tag", None, ASSET_TAG_MISSING)
            continue
        if tag is INVALID:
            continue
        if tag in seen:
            fields.fail(i, "asset_tag", tag, f"asset tag repeated (first on row {seen[tag]})")
            continue
        seen[tag] = fields.numbers[i]
        row: dict[str, Any] = {"asset_tag": tag}
        for name in TEXT_LIMITS:
            if fields.has(name):
                row[name] = texts[name][i] or None
        for name in _OPTIONAL:
            if fields.has(name):
                row[name] = optional[name][i]
        if has_purchase:
            bought = _purchase(fields, i, dates[i], years[i])
            row["purchase_year"] = bought.year if bought else None
            row["purchase_date"] = bought.date if bought else None
        if fields.has("internet"):
            row["internet"] = bool(internet[i]) if internet[i] is not INVALID else INVALID
        if kinds[i] is not None:
            row["kind"] = kinds[i]
        if statuses[i] is not None:
            row["status"] = statuses[i]
        if agency_ids[i] is not None:
            row["agency_id"] = agency_ids[i]
        if i not in fields.bad:
            rows.append(row)
    if report.errors:
        return
    ids = agencies.insert_new(session)
    report.created_agencies = agencies.created_names
    for row in rows:
        if row.get("agency_id", 0) < 0:
            row["agency_id"] = ids[row["agency_id"]]
    if not _fill_kept_fields(session, fields, rows, seen, report):
        return
    report.counts = upsert_by_key(session, Computer, "asset_tag", rows)


def _purchase(fields: Fields, i: int, day: Any, year: Any) -> Purchase | None:
    if day is INVALID or year is INVALID:
        return None
    if day is not None and year is not None and day.year != year.year:
        fields.fail(i, "purchase_year", year.year, f"does not match the purchase date {day.date}")
        return None
    return day if day is not None else year


def _snipeit_kinds(fields: Fields, report: ImportReport) -> list[Any]:
    """Snipe-IT categories are free text: guess from category, then model; never an error.
    Without a Category column, a kind the model does not reveal is left as stored."""
    categories = fields.raw("kind")
    models = fields.raw("model")
    out: list[Any] = []
    guesses: Counter[str] = Counter()
    for category, model in zip(categories, models, strict=True):
        kind: ComputerKind | None
        kind, warning = snipeit.kind_from(category, model)
        if warning and not fields.has("kind"):
            kind = None
        elif warning:
            guesses[warning] += 1
        out.append(kind)
    report.warnings.extend(f"{w} (rows: {n})" for w, n in sorted(guesses.items()))
    return out


def _fill_kept_fields(
    session: Session,
    fields: Fields,
    rows: list[dict[str, Any]],
    row_of: dict[str, int],
    report: ImportReport,
) -> bool:
    """Give every row the same columns: stored values where a kept cell was empty, defaults
    for new computers. A new computer without an agency is an error."""
    stored: dict[str, tuple[Any, Any, Any]] = {}
    tags = [r["asset_tag"] for r in rows]
    for start in range(0, len(tags), 900):  # SQLite's bound-parameter limit
        chunk = tags[start : start + 900]
        stored.update(
            (tag, (kind, status, agency_id))
            for tag, kind, status, agency_id in session.exec(
                select(
                    Computer.asset_tag, Computer.kind, Computer.status, Computer.agency_id
                ).where(col(Computer.asset_tag).in_(chunk))
            ).all()
        )
    for row in rows:
        kept = stored.get(row["asset_tag"])
        kind, status, agency_id = kept or (ComputerKind.desktop, ComputerStatus.in_use, None)
        row.setdefault("kind", kind)
        row.setdefault("status", status)
        if "agency_id" not in row:
            if agency_id is None:
                column = fields.match.header_of("agency") if fields.has("agency") else ""
                report.error(
                    row_of[row["asset_tag"]],
                    column,
                    None,
                    "new computer without an agency: fill the agency column or give --agency",
                )
                continue
            row["agency_id"] = agency_id
        if "internet" not in row and kept is None:
            row["internet"] = False
    return not report.errors
