"""Where each record counts: the agency holding it at a date and the unit that agency (or the
record's own unit) belongs to in the structure of a date.

A thin layer over `inventory.structure_at.StructureAt`, which alone decides successions and
the 2020 -> 2025 correspondence; this module only turns its answers into the lookup tables the
indicators sum with. Usually both dates are the same (the indicators at a date). The comparison
(`readiness.compare`) counts the records of one date (`at`) on the units of another (`onto`):
the 2020 figures re-aggregated onto the 2025 communes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.models import AdminUnit
from inventory.structure_at import StructureAt


def check_level(level: str, on: date) -> None:
    """A unit level must exist in the structure of the date: no districts after 2025-06-30."""
    levels = [str(getattr(lv, "value", lv)) for lv in era_at(on).levels]
    if level != "agency" and level not in levels:
        raise IctrError(
            f"--level {level}: there are no districts on {on.isoformat()}; since 1 July 2025 "
            f"local government has two levels ({' and '.join(levels)}), districts were "
            "dissolved: use --level commune, or a date up to 2025-06-30"
        )


def _climbing(
    keys: list[str], parents: dict[str, str | None], direct: dict[str, str]
) -> dict[str, str]:
    """Each unit key's unit in the other structure, or else its parent's, and so on: a 2020
    district has no counterpart after the reform, but the province it lay in has one, so
    what sits in the district still counts for the province (never for a commune)."""
    found: dict[str, str] = {}
    for key in keys:
        current: str | None = key
        for _ in range(len(keys)):  # bounded: a parent cycle must not hang
            if current is None or direct.get(current) is not None:
                break
            current = parents.get(current)
        if current is not None and (unit := direct.get(current)) is not None:
            found[key] = unit
    return found


@dataclass(frozen=True)
class Placement:
    """Records as of `at`, counted on the units of the structure valid at `onto`."""

    at: date
    onto: date
    # agency id -> the agency holding its records at `at` (itself, or its successor);
    # absent: nobody holds them then (not yet created, or dissolved with no successor).
    holder: dict[int, int]
    # holding agency id -> the unit key (era of `onto`) it counts in; absent: no unit.
    agency_place: dict[int, str]
    # any unit key -> the unit key (era of `onto`) holding it; absent: none (a district after
    # the two-level reform, a unit of the other era with no counterpart).
    unit_place: dict[str, str]
    # every agency's own unit key
    agency_unit: dict[int, str]
    # unit key -> its own counterpart in `onto`'s structure (no climbing to a parent)
    counterpart: dict[str, str]
    keys: frozenset[str]  # every unit key, of either era

    @classmethod
    def load(cls, session: Session, *, at: date, onto: date | None = None) -> Placement:
        onto = at if onto is None else onto
        start = StructureAt.load(session, at=at, with_records=False)
        end = start if onto == at else StructureAt.load(session, at=onto, with_records=False)
        parents: dict[str, str | None] = dict(
            session.execute(select(col(AdminUnit.code), col(AdminUnit.parent_code))).all()
        )
        keys = list(parents)
        agency_unit = {a: agency.unit_code for a, agency in start.agencies.items()}
        same = {k: u for k in keys if (u := start.unit_of_unit(k)) is not None}
        here = _climbing(keys, parents, same)
        holder = {a: h for a in agency_unit if (h := start.holder_of_agency(a)) is not None}
        if end is start:
            unit_place = here
            agency_place = {
                h: here[agency_unit[h]] for h in set(holder.values()) if agency_unit[h] in here
            }
        else:
            later_same = {k: u for k in keys if (u := end.unit_of_unit(k)) is not None}
            there = _climbing(keys, parents, later_same)
            same = {k: later_same[u] for k, u in same.items() if u in later_same}
            unit_place = {k: there[u] for k, u in here.items() if u in there}
            agency_place = {}
            for h in set(holder.values()):
                # Where the records held at `at` are at `onto`: with the agency holding them
                # then (a district office's, with its successor), else by the correspondence.
                later = end.holder_of_agency(h)
                place = there.get(agency_unit[later]) if later is not None else None
                place = place or unit_place.get(agency_unit[h])
                if place is not None:
                    agency_place[h] = place
        return cls(at, onto, holder, agency_place, unit_place, agency_unit, same, frozenset(keys))

    def reading_units(self, scope: Collection[str]) -> set[str]:
        """The unit keys whose records may count in `scope` (units of `onto`'s era): the units
        placed there and the units of every agency whose records are held there."""
        wanted = set(scope)
        found = {k for k, u in self.unit_place.items() if u in wanted}
        found |= {
            self.agency_unit[a]
            for a, h in self.holder.items()
            if self.agency_place.get(h) in wanted
        }
        return found | wanted

    def resolve_within(self, within: str, units: Collection[str]) -> str:
        """`within` as a unit of `onto`'s era: itself, or the unit of that era holding it (the
        configured 2020 province "02" is Tuyên Quang, "08@2025", after the reform)."""
        if within in units:
            return within
        if within not in self.keys:
            raise IctrError(f"within {within!r}: no administrative unit has this code")
        mapped = self.counterpart.get(within)
        if mapped is None:
            era = era_at(self.onto).year
            raise IctrError(
                f"within {within!r} is a unit of the other era with no counterpart in the "
                f"{era} structure (in force on {self.onto.isoformat()}): give a unit of it"
            )
        return mapped
