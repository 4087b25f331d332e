"""Administrative units of both eras and their correspondence, from `vietnamadminunits`.

Its `admin_units_legacy` table is the 2020 structure (63 provinces; province, district,
commune), `admin_units` the structure of 1 July 2025 (34 provinces; province, commune, with
commune areas), and `data/converter_2025.json` says which 2025 commune each 2020 commune
went to (several, with a default, for a divided commune). The converter names units by
text keys ("tinhhagiang", "tinhhagiang_huyenbacme_xayendinh", "xangocduong"); we turn them
into unit keys (inventory.eras) once, here.

A province is loaded with its family: a 2020 province with the 2025 province it became part
of, a 2025 province with the 2020 provinces it was made of, so that records of either era
find their unit and the correspondence has both ends.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from inventory.eras import ERA_2020, ERA_2025, Era, split_unit_key, unit_key
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel

LEGACY_TABLE = "admin_units_legacy"
CURRENT_TABLE = "admin_units"


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


def _data_file(name: str) -> Path:
    return Path(str(files("vietnamadminunits") / "data" / name))


def _rows(sql: str, params: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of the package's unit list, read-only and with bound parameters."""
    uri = _data_file("dataset.db").as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute(sql, params)]


@cache
def _converter() -> dict[str, Any]:
    with _data_file("converter_2025.json").open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _province_gso(province_key: str, era: Era) -> str:
    key_era, gso = split_unit_key(province_key)
    if key_era is not era or len(gso) != 2:
        raise IctrError(f"not a {era.year} province key: {province_key!r}")
    return gso


def legacy_units(province_code: str) -> list[AdminUnit]:
    """The 2020 province, its districts and its communes, parents first."""
    gso = _province_gso(province_code, ERA_2020)
    rows = _rows(
        f"SELECT * FROM [{LEGACY_TABLE}] WHERE provinceCode = ? ORDER BY districtCode, wardCode",
        (gso,),
    )
    if not rows:
        raise IctrError(f"no province with GSO code {gso!r} in the 2020 unit list")
    units: dict[str, AdminUnit] = {}

    def add(code: str, level: UnitLevel, parent: str | None, **fields: Any) -> None:
        if code in units:
            return
        box = _parse_bounds(fields.pop("bounds"))
        units[code] = AdminUnit(
            code=code,
            era=ERA_2020.year,
            gso_code=code,
            level=level,
            parent_code=parent,
            bbox_south=box.south if box else None,
            bbox_west=box.west if box else None,
            bbox_north=box.north if box else None,
            bbox_east=box.east if box else None,
            valid_from=ERA_2020.valid_from,
            valid_to=ERA_2020.valid_to,
            **fields,
        )

    for r in rows:
        add(
            r["provinceCode"],
            UnitLevel.province,
            None,
            name=r["province"],
            short_name=r["provinceShort"],
            unit_type=r["province"].removesuffix(r["provinceShort"]).strip(),
            latitude=r["provinceLat"],
            longitude=r["provinceLon"],
            bounds=r["provinceBounds"],
        )
        add(
            r["districtCode"],
            UnitLevel.district,
            r["provinceCode"],
            name=r["district"],
            short_name=r["districtShort"],
            unit_type=r["districtType"],
            latitude=r["districtLat"],
            longitude=r["districtLon"],
            bounds=r["districtBounds"],
        )
        if not r["wardCode"]:  # island districts without communes (e.g. Côn Đảo, 755)
            continue
        add(
            r["wardCode"],
            UnitLevel.commune,
            r["districtCode"],
            name=r["ward"],
            short_name=r["wardShort"],
            unit_type=r["wardType"],
            latitude=r["wardLat"],
            longitude=r["wardLon"],
            bounds=r["wardBounds"],
        )
    return list(units.values())


def current_units(province_code: str) -> list[AdminUnit]:
    """The 2025 province ("08@2025") and its communes, whose parent is the province."""
    gso = _province_gso(province_code, ERA_2025)
    rows = _rows(
        f"SELECT * FROM [{CURRENT_TABLE}] WHERE provinceCode = ? ORDER BY wardCode", (gso,)
    )
    if not rows:
        raise IctrError(f"no province with GSO code {gso!r} in the 2025 unit list")
    first = rows[0]
    province = AdminUnit(
        code=province_code,
        era=ERA_2025.year,
        gso_code=gso,
        name=first["province"],
        short_name=first["provinceShort"],
        unit_type=first["province"].removesuffix(first["provinceShort"]).strip(),
        level=UnitLevel.province,
        latitude=first["provinceLat"],
        longitude=first["provinceLon"],
        valid_from=ERA_2025.valid_from,
        valid_to=ERA_2025.valid_to,
    )
    communes = [
        AdminUnit(
            code=unit_key(ERA_2025, r["wardCode"]),
            era=ERA_2025.year,
            gso_code=r["wardCode"],
            name=r["ward"],
            short_name=r["wardShort"],
            unit_type=r["wardType"],
            level=UnitLevel.commune,
            parent_code=province_code,
            latitude=r["wardLat"],
            longitude=r["wardLon"],
            area_km2=r["wardAreaKm2"],
            valid_from=ERA_2025.valid_from,
            valid_to=ERA_2025.valid_to,
        )
        for r in rows
    ]
    return [province, *communes]


def _province_text_keys(era: Era) -> dict[str, str]:
    """The converter's text key of each province of `era`, by GSO code."""
    table = LEGACY_TABLE if era is ERA_2020 else CURRENT_TABLE
    rows = _rows(f"SELECT DISTINCT provinceCode, provinceKey FROM [{table}]", ())
    return {r["provinceCode"]: r["provinceKey"] for r in rows}


def province_family(province_code: str) -> list[str]:
    """The province's key with its successor (2020) or predecessors (2025), 2020 first."""
    era, gso = split_unit_key(province_code)
    if len(gso) != 2:
        raise IctrError(f"not a province: {province_code!r}")
    old_keys, new_keys = _province_text_keys(ERA_2020), _province_text_keys(ERA_2025)
    merged = _converter()["DICT_PROVINCE"]
    if era is ERA_2020:
        if gso not in old_keys:
            raise IctrError(f"no province with GSO code {gso!r} in the 2020 unit list")
        text = old_keys[gso]
        successors = [code for code, key in new_keys.items() if text in merged.get(key, ())]
        return [province_code, *(unit_key(ERA_2025, c) for c in sorted(successors))]
    if gso not in new_keys:
        raise IctrError(f"no province with GSO code {gso!r} in the 2025 unit list")
    parts = set(merged.get(new_keys[gso], ()))
    predecessors = sorted(code for code, key in old_keys.items() if key in parts)
    return [*(unit_key(ERA_2020, c) for c in predecessors), province_code]


def _legacy_commune_text_keys(old_province_gsos: list[str]) -> dict[str, str]:
    """2020 commune key by the converter's "province_district_ward" text key."""
    marks = ",".join("?" * len(old_province_gsos))
    rows = _rows(
        f"SELECT provinceKey, districtKey, wardKey, wardCode FROM [{LEGACY_TABLE}] "
        f"WHERE provinceCode IN ({marks}) AND wardCode <> ''",
        tuple(old_province_gsos),
    )
    return {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": unit_key(ERA_2020, r["wardCode"])
        for r in rows
    }


def correspondence(old_provinces: list[str], new_province: str) -> list[UnitCorrespondence]:
    """Rows from the 2020 provinces (keys) and their communes to the 2025 province's."""
    new_gso = _province_gso(new_province, ERA_2025)
    new_text = _province_text_keys(ERA_2025)[new_gso]
    new_communes = {
        r["wardKey"]: unit_key(ERA_2025, r["wardCode"])
        for r in _rows(
            f"SELECT wardKey, wardCode FROM [{CURRENT_TABLE}] WHERE provinceCode = ?", (new_gso,)
        )
    }
    old_communes = _legacy_commune_text_keys([_province_gso(p, ERA_2020) for p in old_provinces])
    rows = [UnitCorrespondence(old_code=p, new_code=new_province) for p in old_provinces]

    def pairs() -> Iterator[tuple[str, str, bool]]:
        whole = _converter()["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_text, {})
        for new_text_key, olds in whole.items():
            for old_text_key in olds:
                yield old_text_key, new_text_key, True
        divided = _converter()["DICT_PROVINCE_WARD_DIVIDED"].get(new_text, {})
        for old_text_key, parts in divided.items():
            for part in parts:
                yield old_text_key, part["newWardKey"], bool(part["isDefaultNewWard"])

    for old_text_key, new_text_key, is_default in pairs():
        old, new = old_communes.get(old_text_key), new_communes.get(new_text_key)
        # A text key the unit lists do not know is left out, and its 2020 commune then
        # shows in `ictr units unresolved` (no 2025 unit), rather than being guessed.
        if old is not None and new is not None:
            rows.append(UnitCorrespondence(old_code=old, new_code=new, is_default=is_default))
    return rows


def family_units(province_code: str) -> list[AdminUnit]:
    """Every unit of the province's family, parents first."""
    units: list[AdminUnit] = []
    for key in province_family(province_code):
        era, _ = split_unit_key(key)
        units += legacy_units(key) if era is ERA_2020 else current_units(key)
    return units


def family_correspondence(province_code: str) -> list[UnitCorrespondence]:
    family = province_family(province_code)
    old = [k for k in family if split_unit_key(k)[0] is ERA_2020]
    new = [k for k in family if split_unit_key(k)[0] is ERA_2025]
    return [row for province in new for row in correspondence(old, province)]


@dataclass(frozen=True)
class UnitsLoaded:
    """Rows added or changed by `load_units`."""

    units: int
    correspondence: int


def load_units(session: Session, *, province_code: str) -> UnitsLoaded:
    """Insert or refresh the province's family of units and their correspondence."""
    units = family_units(province_code)
    links = family_correspondence(province_code)
    existing = {u.code: u for u in session.exec(select(AdminUnit)).all()}
    changed = 0
    for unit in units:
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
    units_changed, changed = changed, 0
    stored = {(c.old_code, c.new_code): c for c in session.exec(select(UnitCorrespondence))}
    for link in links:
        current_link = stored.get((link.old_code, link.new_code))
        if current_link is None:
            session.add(link)
            changed += 1
        elif current_link.is_default != link.is_default:
            current_link.is_default = link.is_default
            changed += 1
    session.flush()
    return UnitsLoaded(units=units_changed, correspondence=changed)
