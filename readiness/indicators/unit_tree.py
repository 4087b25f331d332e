"""The administrative unit tree as plain tuples: each unit's ancestor at a level, a subtree.

Read in one query of four columns (no ORM objects: a national tree holds over 10,000 units).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel

DEPTH = {UnitLevel.province.value: 0, UnitLevel.district.value: 1, UnitLevel.commune.value: 2}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent_code: str | None
    level: str


@dataclass(frozen=True)
class UnitTree:
    units: dict[str, Unit]

    @classmethod
    def load(cls, session: Session, *, era: int | None = None) -> UnitTree:
        """The units of one era (2020 or 2025; a tree never mixes the two), or all."""
        query = select(
            col(AdminUnit.code),
            col(AdminUnit.name),
            col(AdminUnit.parent_code),
            col(AdminUnit.level),
        )
        if era is not None:
            query = query.where(col(AdminUnit.era) == era)
        rows = session.execute(query)
        return cls(
            {
                code: Unit(code, name, parent, UnitLevel(level).value)
                for code, name, parent, level in rows
            }
        )

    def ancestors_at(self, level: str) -> dict[str, str]:
        """unit code -> the code of its ancestor (or itself) at `level`, for units that have one."""
        found: dict[str, str] = {}
        for unit in self.units.values():
            current: Unit | None = unit
            for _ in range(len(self.units)):  # bounded: a parent cycle must not hang
                if current is None or current.level == level:
                    break
                current = self.units.get(current.parent_code) if current.parent_code else None
            if current is not None and current.level == level:
                found[unit.code] = current.code
        return found

    def at_level(self, level: str, among: set[str] | None = None) -> list[Unit]:
        """The units of `level` (only those in `among` when given), by code."""
        return sorted(
            (
                u
                for u in self.units.values()
                if u.level == level and (among is None or u.code in among)
            ),
            key=lambda u: u.code,
        )

    def subtree(self, code: str) -> set[str]:
        """`code` and every unit below it, at any depth; an unknown code is a user mistake."""
        if code not in self.units:
            raise IctrError(f"within {code!r}: no administrative unit has this code")
        children: dict[str, list[str]] = {}
        for unit in self.units.values():
            if unit.parent_code:
                children.setdefault(unit.parent_code, []).append(unit.code)
        found, pending = {code}, [code]
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in found:
                    found.add(child)
                    pending.append(child)
        return found
