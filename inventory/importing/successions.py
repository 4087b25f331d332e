"""Import agency successions: which agency took over another's computers, connection points
and certificates, and from which day (district People's Committees and their offices
dissolved on 1 July 2025, provincial departments merged in 2025).

A row names the old agency, its successor and the first day the successor holds, each agency
by code, or by name and (when the name repeats) its unit, in either era. It writes one
`agency_succession` row per old agency, matched on the old agency (importing the same file
again changes nothing; a new date or successor updates it), and ends the old agency the day
before (`valid_to`). Records keep their agency: `inventory.structure_at` counts them for the
successor from that day, and for the old agency before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from inventory.eras import split_unit_key
from inventory.importing.fields import INVALID, Fields, is_blank
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher
from inventory.importing.values import BadValue, audit_date, text
from inventory.models import Agency, AgencySuccession
from inventory.text_keys import compact, fold
from inventory.upsert import upsert_by_key

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Agency:
    id: int
    code: str | None
    name: str
    unit_code: str
    valid_from: date | None
    valid_to: date | None

    def __str__(self) -> str:
        return f"{self.name!r} ({self.unit_code})"

    def exists_on(self, day: date) -> bool:
        """Its unit's structure is in force and the agency itself is."""
        return (
            split_unit_key(self.unit_code)[0].covers(day)
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True)
class _Side:
    """Where one side of a succession (the old agency or its successor) is read from, and
    on which day, from the succession's, it must exist."""

    code: str
    name: str
    unit: str
    days_after: int

    def cell(self, fields: Fields, i: int) -> str:
        """The column that names this side's agency in row `i`: its code, else its name."""
        if fields.has(self.code) and not is_blank(fields.raw(self.code)[i]):
            return self.code
        return self.name if fields.has(self.name) else self.code


OLD = _Side("agency_code", "agency", "unit", -1)
NEW = _Side("successor_code", "successor", "successor_unit", 0)


class _Agencies:
    def __init__(self, session: Session, units: UnitMatcher) -> None:
        self.by_id = {
            a.id: _Agency(a.id, a.code, a.name, a.unit_code, a.valid_from, a.valid_to)
            for a in session.exec(select(Agency)).all()
            if a.id is not None
        }
        self.by_code = {compact(a.code): a for a in self.by_id.values() if a.code}
        self.by_name: dict[str, list[_Agency]] = {}
        for a in self.by_id.values():
            self.by_name.setdefault(fold(a.name), []).append(a)
        self.units = units

    def find(self, code: Any, name: Any, unit: Any, on: date | None) -> int:
        """The agency a row's cells name; a name several agencies hold is narrowed by the
        unit cell (either era), then to those in existence `on` that day. `_Refused` names
        the cell at fault."""
        if not is_blank(code):
            found = self.by_code.get(compact(text(code)))
            if found is None:
                raise _Refused("code", "no agency with this code")
            if not is_blank(name) and fold(text(name)) != fold(found.name):
                raise _Refused("code", f"this code is agency {found.name!r}, not {text(name)!r}")
            return found.id
        if is_blank(name):
            raise _Refused("name", "the agency is missing (fill its code or name)")
        candidates = self.by_name.get(fold(text(name)), [])
        if not is_blank(unit):
            keys = self.units.named(unit)
            if not keys:
                raise _Refused("unit", "no unit with this name or code")
            candidates = [a for a in candidates if a.unit_code in keys]
        if not candidates:
            where = "" if is_blank(unit) else " in this unit"
            raise _Refused("name", f"no agency with this name{where}")
        if len(candidates) > 1 and on is not None:
            candidates = [a for a in candidates if a.exists_on(on)] or candidates
        if len(candidates) > 1:
            listed = ", ".join(sorted(str(a) for a in candidates))
            raise _Refused(
                "name", f"several agencies have this name ({listed}): give the unit or the code"
            )
        return candidates[0].id


class _Refused(BadValue):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def _side(fields: Fields, side: _Side, agencies: _Agencies, days: list[Any]) -> list[Any]:
    """The agency id of each row's side, INVALID where it names none (the row failed)."""
    codes, names, units = (fields.raw(c) for c in (side.code, side.name, side.unit))
    out: list[Any] = []
    for i in range(len(fields)):
        on = days[i] + timedelta(days=side.days_after) if isinstance(days[i], date) else None
        try:
            found: Any = agencies.find(codes[i], names[i], units[i], on)
        except _Refused as exc:
            column = {"code": side.code, "name": side.name, "unit": side.unit}[exc.column]
            if column == side.name and not fields.has(side.name):
                column = side.code
            value = {side.code: codes[i], side.name: names[i], side.unit: units[i]}[column]
            fields.fail(i, column, value, str(exc))
            found = INVALID
        out.append(found)
    return out


def import_successions(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    today = options.today or date.today()
    days = fields.parse("succeeded_on", partial(audit_date, today=today))
    agencies = _Agencies(session, UnitMatcher.load(session, options))
    olds = _side(fields, OLD, agencies, days)
    news = _side(fields, NEW, agencies, days)
    stored = {
        s.agency_id: (s.successor_id, s.succeeded_on)
        for s in session.exec(select(AgencySuccession)).all()
    }
    # The successions as they will be: stored ones, replaced by the file's for its agencies.
    planned = dict(stored)
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[int, int] = {}
    for i in range(len(fields)):
        old, new, day = olds[i], news[i], days[i]
        if day is None:
            fields.fail(i, "succeeded_on", None, "the date is missing (the successor's first day)")
        if i in fields.bad:
            continue
        old_column, new_column = OLD.cell(fields, i), NEW.cell(fields, i)
        if old == new:
            fields.fail(i, new_column, fields.raw(new_column)[i], "an agency cannot succeed itself")
            continue
        if old in seen:
            fields.fail(
                i,
                old_column,
                fields.raw(old_column)[i],
                f"this agency's successor is already given on row {seen[old]} (one per agency)",
            )
            continue
        seen[old] = fields.numbers[i]
        planned[old] = (new, day)
        rows.append((i, dict(agency_id=old, successor_id=new, succeeded_on=day)))
    for i, row in rows:
        # A cycle always breaks a date too (each agency ends before the other begins): the
        # cycle is what to fix.
        if not _check_cycle(fields, i, row, agencies, planned):
            _check_dates(fields, i, row, agencies, planned)
    if report.errors:
        return
    report.counts = upsert_by_key(session, AgencySuccession, "agency_id", [r for _, r in rows])
    _end_old_agencies(session, [r for _, r in rows], agencies)


def _valid_to(agencies: _Agencies, agency_id: int, planned: dict[int, tuple[int, date]]) -> Any:
    """An agency's last day once the file is written: the day before its succession."""
    if agency_id in planned:
        return planned[agency_id][1] - _ONE_DAY
    return agencies.by_id[agency_id].valid_to


def _check_dates(
    fields: Fields,
    i: int,
    row: dict[str, Any],
    agencies: _Agencies,
    planned: dict[int, tuple[int, date]],
) -> None:
    """The old agency exists before the day; the successor exists on it."""
    day: date = row["succeeded_on"]
    old, new = agencies.by_id[row["agency_id"]], agencies.by_id[row["successor_id"]]
    shown = f"{day:%d/%m/%Y}"
    if old.valid_from is not None and old.valid_from >= day:
        fields.fail(
            i,
            "succeeded_on",
            fields.raw("succeeded_on")[i],
            f"agency {old} exists only from {old.valid_from:%d/%m/%Y}: it cannot be succeeded "
            f"on {shown}",
        )
    last = _valid_to(agencies, new.id, planned)
    era = split_unit_key(new.unit_code)[0]
    if era.valid_from is not None and era.valid_from > day:
        column = NEW.cell(fields, i)
        fields.fail(
            i,
            column,
            fields.raw(column)[i],
            f"the successor {new} is in a unit of the {era.year} structure, which exists "
            f"from {era.valid_from:%d/%m/%Y}, not on {shown}",
        )
    elif (new.valid_from is not None and new.valid_from > day) or (last is not None and last < day):
        span = (f"from {new.valid_from:%d/%m/%Y}" if new.valid_from else "from the start") + (
            f" until {last:%d/%m/%Y}" if last else ""
        )
        column = NEW.cell(fields, i)
        fields.fail(
            i,
            column,
            fields.raw(column)[i],
            f"the successor {new} does not exist on {shown} (it exists {span})",
        )


def _check_cycle(
    fields: Fields,
    i: int,
    row: dict[str, Any],
    agencies: _Agencies,
    planned: dict[int, tuple[int, date]],
) -> bool:
    """Following successors from this row's must never come back to its old agency.
    True when it does (the row failed)."""
    start = row["agency_id"]
    chain = [start, row["successor_id"]]
    while chain[-1] in planned and chain[-1] != start and len(chain) <= len(planned) + 1:
        chain.append(planned[chain[-1]][0])
    if chain[-1] == start:
        column = NEW.cell(fields, i)
        path = " → ".join(agencies.by_id[a].name for a in chain)
        fields.fail(i, column, fields.raw(column)[i], f"a cycle of successions: {path}")
        return True
    return False


def _end_old_agencies(session: Session, rows: list[dict[str, Any]], agencies: _Agencies) -> None:
    """Each old agency's last day is the day before its successor's first."""
    changed = [
        {"agency": r["agency_id"], "last_day": r["succeeded_on"] - _ONE_DAY}
        for r in rows
        if agencies.by_id[r["agency_id"]].valid_to != r["succeeded_on"] - _ONE_DAY
    ]
    if changed:
        table = Agency.__table__  # type: ignore[attr-defined]
        session.execute(
            update(table)
            .where(table.c.id == bindparam("agency"))
            .values(valid_to=bindparam("last_day")),
            changed,
        )
