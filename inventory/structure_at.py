"""The administrative structure at a date: which unit and which agency hold a record then.

The one place that answers it (indicators, the map, the compare view and `ictr units
unresolved` all ask here). At a date D the units are those of `era_at(D)`:

- a unit of that era is itself; a 2020 commune or province at a 2025 date is the 2025 unit
  the correspondence names (a divided commune: its default part, and it is listed as
  unresolved); a 2020 district at a 2025 date is no unit (the level is gone);
- an agency is held, from the day of its succession, by its successor (following the chain);
  it counts at D when valid then. An agency of a dissolved 2020 district, or one whose
  validity ended, with no successor at D is held by no one and is listed, never guessed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from inventory.eras import ERA_2020, ERA_2025, Era, era_at
from inventory.models import (
    AdminUnit,
    Agency,
    AgencySuccession,
    Certificate,
    Computer,
    ConnectionPoint,
    UnitCorrespondence,
    UnitLevel,
)


class UnresolvedKind:
    """Why a record's place at a date is not certain (the values `unresolved()` reports)."""

    divided_commune = "divided_commune"  # mapped to the default part, but could be another
    no_successor = "no_successor"  # its agency is gone and nothing took over
    no_unit = "no_unit"  # its 2020 unit has no 2025 unit in the correspondence


@dataclass(frozen=True)
class Unresolved:
    """One record whose unit or holder at the date is ambiguous or missing."""

    kind: str
    record: str  # "agency 12", "point HG-P01"
    name: str
    unit_code: str  # the unit the record names (of its own era)
    mapped_to: str | None  # the unit or agency it is counted under at the date, if any
    candidates: tuple[str, ...] = ()
    records: int = 0  # computers, points and certificates an agency's case concerns

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "record": self.record,
            "name": self.name,
            "unit_code": self.unit_code,
            "mapped_to": self.mapped_to,
            "candidates": list(self.candidates),
            "records": self.records,
        }


@dataclass(frozen=True)
class _Unit:
    code: str
    era: int
    level: UnitLevel
    name: str


@dataclass(frozen=True)
class _Agency:
    id: int
    name: str
    unit_code: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class _Point:
    code: str
    name: str
    unit_code: str
    agency_id: int | None


def valid_at(valid_from: date | None, valid_to: date | None, at: date) -> bool:
    """Open ends (None) are unbounded."""
    return (valid_from is None or valid_from <= at) and (valid_to is None or at <= valid_to)


@dataclass
class StructureAt:
    """Plain values read once, so it stays usable after the session ends."""

    at: date
    era: Era
    units: dict[str, _Unit]
    # 2020 unit key -> its 2025 units, the default first.
    successors: dict[str, list[str]]
    agencies: dict[int, _Agency]
    # agency id -> (successor id, first day the successor holds)
    succession: dict[int, tuple[int, date]]
    points: list[_Point] = field(default_factory=list)
    records_by_agency: Counter[int] = field(default_factory=Counter)

    @classmethod
    def load(cls, session: Session, *, at: date, with_records: bool = True) -> StructureAt:
        """`with_records=False` skips what only `unresolved()` reports on (the points and the
        per-agency record counts: scans of computers, certificates and points); the
        indicators, which only place records, do not need them."""
        successors: dict[str, list[str]] = defaultdict(list)
        links = session.exec(
            select(UnitCorrespondence.old_code, UnitCorrespondence.new_code).order_by(
                col(UnitCorrespondence.old_code),
                col(UnitCorrespondence.is_default).desc(),
                col(UnitCorrespondence.new_code),
            )
        )
        for old, new in links:
            successors[old].append(new)
        records: Counter[int] = Counter()
        for model in (Computer, Certificate, ConnectionPoint) if with_records else ():
            agency_id = col(model.agency_id)
            for agency, n in session.exec(
                select(agency_id, func.count()).where(agency_id.is_not(None)).group_by(agency_id)
            ):
                if agency is not None:
                    records[agency] += n
        return cls(
            at=at,
            era=era_at(at),
            units={
                code: _Unit(code, era, UnitLevel(level), name)
                for code, era, level, name in session.execute(
                    sa_select(
                        col(AdminUnit.code),
                        col(AdminUnit.era),
                        col(AdminUnit.level),
                        col(AdminUnit.name),
                    )
                )
            },
            successors=dict(successors),
            agencies={
                a_id: _Agency(a_id, name, unit_code, start, end)
                for a_id, name, unit_code, start, end in session.execute(
                    sa_select(
                        col(Agency.id),
                        col(Agency.name),
                        col(Agency.unit_code),
                        col(Agency.valid_from),
                        col(Agency.valid_to),
                    )
                )
            },
            succession={
                old: (new, on)
                for old, new, on in session.execute(
                    sa_select(
                        col(AgencySuccession.agency_id),
                        col(AgencySuccession.successor_id),
                        col(AgencySuccession.succeeded_on),
                    )
                )
            },
            points=[
                _Point(*row)
                for row in session.exec(
                    select(
                        ConnectionPoint.code,
                        ConnectionPoint.name,
                        ConnectionPoint.unit_code,
                        ConnectionPoint.agency_id,
                    ).order_by(col(ConnectionPoint.code))
                )
            ]
            if with_records
            else [],
            records_by_agency=records,
        )

    def unit_of_unit(self, key: str) -> str | None:
        """The unit of the date's era that unit `key` is (part of) then; None if none."""
        unit = self.units.get(key)
        if unit is None:
            return None
        if unit.era == self.era.year:
            return key
        if unit.era == ERA_2020.year and self.era is ERA_2025:
            # The correspondence covers communes and provinces; districts were dissolved.
            parts = self.successors.get(key)
            return parts[0] if parts else None
        # A 2025 unit before 1 July 2025 did not exist (and has no single predecessor).
        return None

    def holder_of_agency(self, agency_id: int) -> int | None:
        """The agency that holds `agency_id`'s records at the date; None if no one does."""
        seen = {agency_id}
        current = agency_id
        while (step := self.succession.get(current)) is not None and step[1] <= self.at:
            if step[0] in seen:  # a cycle is bad data: stop where it closes
                break
            seen.add(step[0])
            current = step[0]
        agency = self.agencies.get(current)
        if agency is None or not valid_at(agency.valid_from, agency.valid_to, self.at):
            return None
        if self.unit_of_unit(agency.unit_code) is None:
            # An agency of a dissolved district (or of a unit without a 2025 unit) that nobody
            # succeeded is not placed anywhere.
            return None
        return current

    def unit_of_agency(self, agency_id: int) -> str | None:
        """The unit of the date's era where `agency_id`'s records count at the date."""
        holder = self.holder_of_agency(agency_id)
        return None if holder is None else self.unit_of_unit(self.agencies[holder].unit_code)

    def unresolved(self) -> list[Unresolved]:
        """What cannot be placed for certain at the date, agencies first, then points."""
        found: list[Unresolved] = []
        for agency in sorted(self.agencies.values(), key=lambda a: a.id):
            case = self._agency_case(agency)
            if case is not None:
                found.append(case)
        for point in self.points:
            case = self._divided(f"point {point.code}", point.name, point.unit_code)
            if case is None and self.unit_of_unit(point.unit_code) is None:
                holder_unit = (
                    None if point.agency_id is None else self.unit_of_agency(point.agency_id)
                )
                if holder_unit is None and self._existed(point.unit_code):
                    case = Unresolved(
                        UnresolvedKind.no_unit,
                        f"point {point.code}",
                        point.name,
                        point.unit_code,
                        None,
                    )
            if case is not None:
                found.append(case)
        return found

    def _existed(self, key: str) -> bool:
        """Whether unit `key` belongs to an era before the date's (a 2025 unit in 2020 is
        simply not there yet: nothing to resolve)."""
        unit = self.units.get(key)
        return unit is not None and unit.era < self.era.year

    def _divided(self, record: str, name: str, key: str) -> Unresolved | None:
        parts = self.successors.get(key, [])
        unit = self.units.get(key)
        if len(parts) < 2 or unit is None or not self._existed(key):
            return None
        return Unresolved(UnresolvedKind.divided_commune, record, name, key, parts[0], tuple(parts))

    def _agency_case(self, agency: _Agency) -> Unresolved | None:
        record = f"agency {agency.id}"
        holder = self.holder_of_agency(agency.id)
        n = self.records_by_agency[agency.id]
        if holder is None:
            if agency.valid_from is not None and self.at < agency.valid_from:
                return None  # not there yet
            ended = agency.valid_to is not None and agency.valid_to < self.at
            if not ended and not self._existed(agency.unit_code):
                return None  # of a later era than the date: not there yet either
            unit = self.units.get(agency.unit_code)
            gone = ended or unit is None or unit.level == UnitLevel.district
            kind = UnresolvedKind.no_successor if gone else UnresolvedKind.no_unit
            return Unresolved(kind, record, agency.name, agency.unit_code, None, records=n)
        if holder != agency.id:
            return None  # succeeded: its successor's place is the question, not its own
        case = self._divided(record, agency.name, agency.unit_code)
        if case is None:
            return None
        return Unresolved(
            case.kind,
            record,
            agency.name,
            agency.unit_code,
            case.mapped_to,
            case.candidates,
            records=n,
        )
