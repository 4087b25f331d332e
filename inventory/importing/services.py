"""Import the one-stop-shop system's periodic report (báo cáo tình hình tiếp nhận, giải quyết
hồ sơ TTHC): per agency and period, procedures offered, online at level 3 and 4 (or partial
and full online, Decree 42/2022), cut by more than 30 %; dossiers received, received online,
resolved early or on time.

Figures are matched on (agency, period): importing the same report again changes nothing.
The period comes from a period column, else `--period`. Total rows are checked against the
rows above them and not stored; a row of column numbers under the header is skipped. An
empty cell keeps the stored figure (0 for a new one).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import Session, select

from inventory.errors import IctrError
from inventory.importing.agency_columns import RowAgencies
from inventory.importing.fields import Fields
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.readers import Cell
from inventory.importing.report import ImportReport, shown
from inventory.importing.total_rows import check_totals, is_total_row
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import BadValue, whole
from inventory.models import ServiceFigure
from inventory.models.services import SERVICE_COUNTS
from inventory.periods import PeriodError, canonical_period, period_bounds
from inventory.upsert import upsert_by_key

KEY = ("unit_code", "agency_id", "period")


def period_cell(value: object, *, today: date) -> str:
    """A period cell in its stored form; a period that has not started is a typing error."""
    try:
        period = canonical_period(value)
    except PeriodError as exc:
        raise BadValue(str(exc)) from None
    if period_bounds(period)[0] > today:
        raise BadValue(f"period {period} has not started yet (today is {today.isoformat()})")
    return period


def import_services(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    today = options.today or date.today()
    default_period = None
    if options.period:
        try:
            default_period = period_cell(options.period, today=today)
        except BadValue as exc:
            raise IctrError(f"--period {options.period!r}: {exc}") from None
    if not fields.has("period") and default_period is None:
        raise IctrError(
            f"{report.source}: no period: the file has no period column (Kỳ báo cáo) and "
            "no --period was given (e.g. --period 2026Q3)"
        )
    data, totals, total_at = _split_totals(fields, report)

    counts = {name: data.parse(name, whole) for name in SERVICE_COUNTS}
    periods = data.parse("period", lambda v: period_cell(v, today=today))
    units = UnitMatcher.load(session, options)
    agencies = RowAgencies(session, options, units)
    agency_ids = agencies.resolve(data, row_units(data, units))
    check_totals(totals, total_at, counts)

    stored: dict[tuple[int | None, str], dict[str, Any]] = {
        (f.agency_id, f.period): {c: getattr(f, c) for c in (*KEY, *SERVICE_COUNTS)}
        for f in session.exec(select(ServiceFigure)).all()
    }
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], int] = {}
    for i in range(len(data)):
        agency_id = agency_ids[i]
        period: str | None = periods[i] if periods[i] is not None else default_period
        if agency_id is None:
            data.fail(i, "agency", None, "the agency is missing (fill its code or name)")
        if period is None:
            data.fail(i, "period", None, "the period is missing (fill the cell or give --period)")
        if i in data.bad:
            continue
        assert period is not None  # a missing one failed the row above
        key: tuple[int, str] = (agency_id, period)
        if key in seen:
            data.fail(
                i,
                "agency" if data.has("agency") else "agency_code",
                data.raw("agency")[i] or data.raw("agency_code")[i],
                f"this agency's figures for {period} are already on row {seen[key]}",
            )
            continue
        seen[key] = data.numbers[i]
        row = dict(
            stored.get(key)
            or dict(
                {c: 0 for c in SERVICE_COUNTS},
                unit_code=agencies.unit_of(agency_id),
                agency_id=agency_id,
                period=period,
            )
        )
        for name in SERVICE_COUNTS:
            if counts[name][i] is not None:
                row[name] = counts[name][i]
        if _consistent(data, i, row):
            rows.append(row)
    if report.errors:
        return
    ids = agencies.insert_new(session)
    report.created_agencies = agencies.created_names
    for row in rows:
        if row["agency_id"] < 0:
            row["agency_id"] = ids[row["agency_id"]]
    report.counts = upsert_by_key(session, ServiceFigure, KEY, rows)


def _split_totals(fields: Fields, report: ImportReport) -> tuple[Fields, Fields, list[int]]:
    """The data rows, the total rows, and how many data rows lie above each total row."""
    figures = {fields.match.positions[n] for n in SERVICE_COUNTS if fields.has(n)}
    data_rows: list[list[Cell]] = []
    total_rows: list[list[Cell]] = []
    data_numbers: list[int] = []
    total_numbers: list[int] = []
    total_at: list[int] = []
    for row, number in zip(fields.rows, fields.numbers, strict=True):
        if _column_numbers(row):
            continue
        if is_total_row(row, figures):
            total_rows.append(row)
            total_numbers.append(number)
            total_at.append(len(data_rows))
        else:
            data_rows.append(row)
            data_numbers.append(number)
    return (
        Fields(data_rows, data_numbers, fields.match, report),
        Fields(total_rows, total_numbers, fields.match, report),
        total_at,
    )


_NUMBERED = re.compile(r"^\(?(\d{1,3})\)?$")


def _column_numbers(row: list[Cell]) -> bool:
    """The row of column numbers official reports put under the header: (1), (2), (3)...
    or 1, 2, 3...: three or more cells, numbered one after another from 1."""
    numbers = []
    for cell in row:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        match = _NUMBERED.match(shown(cell).strip())
        if match is None:
            return False
        numbers.append(int(match[1]))
    return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))


def _consistent(data: Fields, i: int, row: dict[str, Any]) -> bool:
    """The checks the table's constraints make, as errors naming the cell at fault."""
    ok = True
    procedures = row["procedures"]
    online = row["procedures_level3"] + row["procedures_level4"]
    if online > procedures:
        levels = ("procedures_level4", "procedures_level3", "procedures")
        column = next((n for n in levels if data.has(n)), "procedures")
        data.fail(
            i,
            column,
            row[column],
            f"level 3 ({row['procedures_level3']:,}) + level 4 ({row['procedures_level4']:,}) "
            f"= {online:,} is more than the procedures offered ({procedures:,})",
        )
        ok = False
    for name, limit, what in (
        ("procedures_cut_30", "procedures", "the procedures offered"),
        ("dossiers_online", "dossiers_received", "the dossiers received"),
        ("dossiers_on_time", "dossiers_received", "the dossiers received"),
    ):
        if row[name] > row[limit]:
            column = name if data.has(name) or not data.has(limit) else limit
            data.fail(i, column, row[column], f"{row[name]:,} is more than {what} ({row[limit]:,})")
            ok = False
    return ok
