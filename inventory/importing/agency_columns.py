"""The agency of each data row: from its code or name cell, else the --agency default;
unknown agencies are errors, or new agencies to create with --create-agencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from inventory.errors import IctrError
from inventory.importing.agency_match import AgencyMatcher, AgencyRef, guess_agency_kind
from inventory.importing.fields import INVALID, Fields, is_blank
from inventory.importing.options import ImportOptions
from inventory.importing.unit_match import UnitMatcher
from inventory.importing.values import BadValue, text
from inventory.models import Agency
from inventory.text_keys import fold


@dataclass
class NewAgency:
    temp_id: int  # negative until inserted
    name: str
    unit_code: str
    code: str | None


class RowAgencies:
    """Resolves rows to agency ids; ids of agencies still to create are negative."""

    def __init__(
        self,
        session: Session,
        options: ImportOptions,
        units: UnitMatcher,
        *,
        fallback_name_column: str | None = None,
    ) -> None:
        self.matcher = AgencyMatcher.load(session)
        self.options = options
        self.units = units
        self.fallback = fallback_name_column
        self.new: dict[tuple[str, str], NewAgency] = {}
        self.default: AgencyRef | None = None
        if options.agency:
            try:
                self.default = self.matcher.find(options.agency)
            except BadValue as exc:
                raise IctrError(f"--agency {options.agency!r}: {exc}") from None
            if self.default is None:
                raise IctrError(f"--agency {options.agency!r}: no agency with this code or name")
        self.default_unit: str | None = None

    def unit_of(self, agency_id: int) -> str:
        """The unit of a known agency or of one to be created."""
        if agency_id < 0:
            return next(a.unit_code for a in self.new.values() if a.temp_id == agency_id)
        return self.matcher.by_id[agency_id].unit_code

    def resolve(self, fields: Fields, row_units: list[Any]) -> list[Any]:
        """The agency of each row; `row_units` (from `unit_match.row_units`) has settled the
        era in which --unit is read."""
        if self.options.unit:
            try:
                self.default_unit = self.units.find(self.options.unit)
            except BadValue as exc:
                raise IctrError(f"--unit {self.options.unit!r}: {exc}") from None
        codes = fields.raw("agency_code")
        names = fields.raw("agency")
        fallback = fields.raw(self.fallback) if self.fallback else [None] * len(fields)
        out: list[Any] = []
        cache: dict[tuple[Any, ...], tuple[Any, str, str]] = {}
        for i in range(len(fields)):
            unit = row_units[i] if row_units[i] is not INVALID else None
            name_column = "agency"
            name = names[i]
            if is_blank(name) and self.fallback and not is_blank(fallback[i]):
                name_column, name = self.fallback, fallback[i]
            key = (codes[i], name, unit, name_column)
            if key not in cache:
                cache[key] = self._one(codes[i], name, name_column, unit)
            agency_id, column, reason = cache[key]
            if agency_id is INVALID:
                fields.fail(i, column, codes[i] if column == "agency_code" else name, reason)
            out.append(agency_id)
        return out

    def _one(
        self, code: Any, name: Any, name_column: str, unit: str | None
    ) -> tuple[Any, str, str]:
        """(agency id or INVALID, column at fault, reason)."""
        column = "agency_code"
        try:
            if not is_blank(code):
                try:
                    found = self.matcher.by_code_only(code)
                except BadValue:
                    if is_blank(name) or not self.options.create_agencies:
                        raise
                    # The limits of Agency.code and Agency.name (PostgreSQL enforces them).
                    new_code = text(code, max_length=40)
                    column = name_column
                    return self._create(text(name, max_length=200), unit, new_code), "", ""
                if not is_blank(name) and fold(text(name)) != fold(found.name):
                    raise BadValue(f"this code is agency {found.name!r}, not {text(name)!r}")
                return found.id, "", ""
            if is_blank(name):
                return (self.default.id if self.default else None), "", ""
            column = name_column
            found_by_name = self.matcher.find(name, unit_code=unit)
            if found_by_name is not None:
                return found_by_name.id, "", ""
            if not self.options.create_agencies:
                raise BadValue(
                    "unknown agency (import it first with `ictr import agencies`, "
                    "or use --create-agencies)"
                )
            return self._create(text(name, max_length=200), unit, None), "", ""
        except BadValue as exc:
            return INVALID, column, str(exc)

    def _create(self, name: str, unit: str | None, code: str | None) -> int:
        unit = unit or self.default_unit
        if unit is None:
            raise BadValue("unknown agency: to create it, give --unit or fill a unit column")
        key = (unit, fold(name))
        if key not in self.new:
            self.new[key] = NewAgency(-(len(self.new) + 1), name, unit, code)
        return self.new[key].temp_id

    def insert_new(self, session: Session) -> dict[int, int]:
        """Insert the agencies to create; returns temporary id -> real id."""
        if not self.new:
            return {}
        rows = [
            dict(
                code=a.code,
                name=a.name,
                kind=guess_agency_kind(a.name),
                unit_code=a.unit_code,
                officials=0,
                signing_officials=0,
            )
            for a in self.new.values()
        ]
        session.execute(insert(Agency), rows)
        stored = {
            (unit, fold(name)): agency_id
            for agency_id, name, unit in session.exec(
                select(Agency.id, Agency.name, Agency.unit_code)
            ).all()
            if agency_id is not None
        }
        return {a.temp_id: stored[key] for key, a in self.new.items()}

    @property
    def created_names(self) -> list[str]:
        return [f"{a.name} ({a.unit_code})" for a in self.new.values()]
