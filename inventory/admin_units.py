"""Administrative units of a province, loaded by GSO code from the `vietnamadminunits` package.

We use its legacy (pre-2025, 63-province) dataset: the three-level structure (province,
district, commune) that the 2020 reporting and the GSO codes in our data refer to.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel

LEGACY_TABLE = "admin_units_legacy"


@dataclass(frozen=True)
class _Box:
    south: float
    west: float
    north: float
    east: float


def _parse_bounds(text: str | None) -> _Box | None:
    """Bounds are published as 'lat,lon – lat,lon' (south-west – north-east)."""
    if not text:
        return None
    try:
        first, second = (part.strip() for part in text.split("–"))
        lat1, lon1 = (float(v) for v in first.split(","))
        lat2, lon2 = (float(v) for v in second.split(","))
    except ValueError:
        return None
    return _Box(min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))


def legacy_units(province_code: str) -> list[AdminUnit]:
    """The province, its districts and its communes, parents first."""
    from vietnamadminunits.database import query

    if not province_code.isdigit() or len(province_code) != 2:
        raise IctrError(f"province code must be two digits (GSO), got {province_code!r}")
    rows = query(
        f"SELECT * FROM [{LEGACY_TABLE}] WHERE provinceCode = '{province_code}' "
        "ORDER BY districtCode, wardCode"
    )
    if not rows:
        raise IctrError(f"no province with GSO code {province_code!r} in the legacy unit list")
    units: dict[str, AdminUnit] = {}

    def add(
        code: str,
        name: str,
        short: str,
        unit_type: str,
        level: UnitLevel,
        parent: str | None,
        lat: float | None,
        lon: float | None,
        bounds: str | None,
    ) -> None:
        if code in units:
            return
        box = _parse_bounds(bounds)
        units[code] = AdminUnit(
            code=code,
            name=name,
            short_name=short,
            unit_type=unit_type,
            level=level,
            parent_code=parent,
            latitude=lat,
            longitude=lon,
            bbox_south=box.south if box else None,
            bbox_west=box.west if box else None,
            bbox_north=box.north if box else None,
            bbox_east=box.east if box else None,
        )

    for r in rows:
        province_type = r["province"].removesuffix(r["provinceShort"]).strip()
        add(
            r["provinceCode"],
            r["province"],
            r["provinceShort"],
            province_type,
            UnitLevel.province,
            None,
            r["provinceLat"],
            r["provinceLon"],
            r["provinceBounds"],
        )
        add(
            r["districtCode"],
            r["district"],
            r["districtShort"],
            r["districtType"],
            UnitLevel.district,
            r["provinceCode"],
            r["districtLat"],
            r["districtLon"],
            r["districtBounds"],
        )
        if not r["wardCode"]:  # island districts without communes (e.g. Côn Đảo, 755)
            continue
        add(
            r["wardCode"],
            r["ward"],
            r["wardShort"],
            r["wardType"],
            UnitLevel.commune,
            r["districtCode"],
            r["wardLat"],
            r["wardLon"],
            r["wardBounds"],
        )
    return list(units.values())


def load_units(session: Session, *, province_code: str) -> int:
    """Insert or refresh the province's units; returns how many rows changed."""
    existing = {u.code: u for u in session.exec(select(AdminUnit)).all()}
    changed = 0
    for unit in legacy_units(province_code):
        current = existing.get(unit.code)
        if current is None:
            session.add(unit)
            changed += 1
            continue
        fields = unit.model_dump()
        if any(getattr(current, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(current, k, v)
            changed += 1
    session.flush()
    return changed
