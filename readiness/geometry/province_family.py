"""The provinces of both eras on one territory, as far as they are stored: Hà Giang (02)
and the 2020 Tuyên Quang (08) became today's Tuyên Quang (08@2025).

Geometry needs them together: a 2025 province is drawn inside the outline of the 2020
provinces it came from, and the map of a 2025 database at a 2020 date shows its
predecessors' districts. Which provinces belong together is `inventory.admin_units`'
`province_family` (what `ictr init` loads); here, the part of it in the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from inventory.admin_units import correspondence
from inventory.admin_units import province_family as loaded_family
from inventory.eras import ERA_2020, ERA_2025, Era, split_unit_key
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel


@dataclass(frozen=True)
class ProvinceFamily:
    """Unit keys of the stored provinces of each era, each tuple sorted."""

    provinces_2020: tuple[str, ...]
    provinces_2025: tuple[str, ...]

    def of_era(self, era: Era | int) -> tuple[str, ...]:
        year = era if isinstance(era, int) else era.year
        return self.provinces_2020 if year == ERA_2020.year else self.provinces_2025


def province_family(session: Session, province_code: str) -> ProvinceFamily:
    """The province `province_code` (a unit key) with its successor or predecessors, those
    of them that are stored. A unit the unit lists do not know (made up by a test) stands
    alone."""
    stored = {
        unit.code: unit.era
        for unit in session.exec(select(AdminUnit).where(AdminUnit.level == UnitLevel.province))
    }
    if province_code not in stored:
        return ProvinceFamily((), ())
    try:
        members = set(loaded_family(province_code))
    except IctrError:
        members = {province_code}
    return ProvinceFamily(
        provinces_2020=tuple(sorted(m for m in members if stored.get(m) == ERA_2020.year)),
        provinces_2025=tuple(sorted(m for m in members if stored.get(m) == ERA_2025.year)),
    )


def predecessors(province_code: str) -> list[str]:
    """The 2020 provinces a 2025 province came from, stored or not (from the unit lists)."""
    return [k for k in loaded_family(province_code) if split_unit_key(k)[0] is ERA_2020]


def units_under(
    session: Session, provinces: Sequence[str], level: UnitLevel | None = None
) -> list[AdminUnit]:
    """The provinces themselves, their districts and their communes (a 2025 commune's parent
    is its province, a 2020 commune's its district), ordered by key; or those of `level`."""
    districts = select(AdminUnit.code).where(col(AdminUnit.parent_code).in_(list(provinces)))
    query = select(AdminUnit).where(
        col(AdminUnit.code).in_(list(provinces))
        | col(AdminUnit.parent_code).in_(list(provinces))
        | col(AdminUnit.parent_code).in_(districts)
    )
    if level is not None:
        query = query.where(AdminUnit.level == level)
    return list(session.exec(query.order_by(col(AdminUnit.code))))


def former_provinces(session: Session, province_code: str) -> dict[str, str]:
    """For each commune of the 2025 province `province_code`, the 2020 province most of its
    predecessors were in (ties to the lower key; in 2025 no commune straddles two former
    provinces). The stored correspondence, and the unit lists' for a predecessor province
    not stored (a Hà Giang database holds no 2020 Tuyên Quang)."""
    old = aliased(AdminUnit)
    district = aliased(AdminUnit)
    communes = select(AdminUnit.code).where(AdminUnit.parent_code == province_code)
    rows = list(
        session.exec(
            select(UnitCorrespondence.new_code, district.parent_code)
            .join(old, col(old.code) == col(UnitCorrespondence.old_code))
            .join(district, col(district.code) == col(old.parent_code))
            .where(col(UnitCorrespondence.new_code).in_(communes))
            .where(old.level == UnitLevel.commune)
        )
    )
    stored = set(province_family(session, province_code).provinces_2020)
    for former in predecessors(province_code):
        if former not in stored:
            rows += [
                (link.new_code, former)
                for link in correspondence([former], province_code)
                if link.old_code != former
            ]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for new_code, province in rows:
        if province is not None:
            counts[new_code][province] += 1
    return {code: min(c, key=lambda p: (-c[p], p)) for code, c in counts.items() if c}
