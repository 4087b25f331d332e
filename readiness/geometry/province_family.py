"""The provinces of both eras that cover one territory, as stored: Hà Giang (02) and the 2020
Tuyên Quang (08) became today's Tuyên Quang (08@2025).

Geometry needs them together: a 2025 province is drawn inside the outline of the 2020
provinces it came from, and the map of a 2025 database at a 2020 date shows its
predecessors' districts. The link is the provinces' rows of `unit_correspondence`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from inventory.eras import ERA_2020, ERA_2025, Era
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel


@dataclass(frozen=True)
class ProvinceFamily:
    """Unit keys of the provinces of each era, 2020 first, each list sorted."""

    provinces_2020: tuple[str, ...]
    provinces_2025: tuple[str, ...]

    def of_era(self, era: Era | int) -> tuple[str, ...]:
        year = era if isinstance(era, int) else era.year
        return self.provinces_2020 if year == ERA_2020.year else self.provinces_2025


def _province_links(session: Session) -> list[tuple[str, str]]:
    old = select(AdminUnit.code).where(AdminUnit.level == UnitLevel.province)
    rows = session.exec(
        select(UnitCorrespondence.old_code, UnitCorrespondence.new_code).where(
            col(UnitCorrespondence.old_code).in_(old)
        )
    )
    return [(o, n) for o, n in rows]


def province_family(session: Session, province_code: str) -> ProvinceFamily:
    """The province `province_code` (a unit key) with its successor or predecessors, and the
    successor's other predecessors: every province stored that shares its territory."""
    links = _province_links(session)
    eras = dict(session.exec(select(AdminUnit.code, AdminUnit.era)).all())
    members = {province_code}
    # Two steps reach every member: 2020 -> 2025 -> the other 2020 provinces.
    for _ in range(2):
        members |= {n for o, n in links if o in members} | {o for o, n in links if n in members}
    return ProvinceFamily(
        provinces_2020=tuple(sorted(m for m in members if eras.get(m) == ERA_2020.year)),
        provinces_2025=tuple(sorted(m for m in members if eras.get(m) == ERA_2025.year)),
    )


def predecessors(session: Session, province_code: str) -> list[str]:
    """The stored 2020 provinces a 2025 province came from."""
    return sorted(o for o, n in _province_links(session) if n == province_code)


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


def former_provinces(session: Session, communes: Sequence[str]) -> dict[str, str]:
    """For each 2025 commune (key) with stored predecessors, the 2020 province most of them
    were in (ties to the lower key; in 2025 no commune straddles two former provinces)."""
    old = aliased(AdminUnit)
    district = aliased(AdminUnit)
    rows = session.exec(
        select(UnitCorrespondence.new_code, district.parent_code)
        .join(old, col(old.code) == col(UnitCorrespondence.old_code))
        .join(district, col(district.code) == col(old.parent_code))
        .where(col(UnitCorrespondence.new_code).in_(list(communes)))
        .where(old.level == UnitLevel.commune)
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for new_code, province in rows:
        if province is not None:
            counts[new_code][province] += 1
    return {code: min(c, key=lambda p: (-c[p], p)) for code, c in counts.items() if c}
