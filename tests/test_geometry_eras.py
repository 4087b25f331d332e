"""Shapes of both eras: the 2025 communes cut from the 2020 provinces they came from, 2025
boundary files matched by code or name with their era detected, and 2020 commune files that
rebuild their districts. Real `vietnamadminunits` data throughout."""

from __future__ import annotations

import statistics
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import Engine
from sqlmodel import select

from inventory.db import session_scope
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel
from readiness.geometry.store import level_frame
from tests.geometry_fixtures import (
    NEW_PROVINCE,
    PROVINCE,
    areas_km2,
    init_province,
    invoke,
    iou,
    real_districts_fixture,  # noqa: F401  (the real_districts fixture)
    real_path_fixture,  # noqa: F401  (the real_path fixture)
    stored,
    without_diacritics,
    write,
)

# Published counts (vietnamadminunits 1.0.4): today's Tuyên Quang and where its communes lie.
COMMUNES_2025 = 124
ON_HA_GIANG_LAND = 73
# Floating point, not geography: parts that tile a shape add up to it within this.
AREA_RTOL = 1e-6


@pytest.fixture(name="ha_giang")
def ha_giang_fixture(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A database as `ictr init` leaves it for Hà Giang (02): both eras, approximate shapes."""
    return init_province(monkeypatch, PROVINCE)


def former_ha_giang(engine: Engine) -> set[str]:
    """The 2025 communes whose 2020 predecessors were communes of Hà Giang, read from the
    stored correspondence."""
    with session_scope(engine) as session:
        districts = select(AdminUnit.code).where(AdminUnit.parent_code == PROVINCE)
        old = select(AdminUnit.code).where(
            AdminUnit.level == UnitLevel.commune, AdminUnit.parent_code.in_(districts)
        )
        rows = session.exec(
            select(UnitCorrespondence.new_code).where(UnitCorrespondence.old_code.in_(old))
        )
        return set(rows)


def communes_2025(engine: Engine) -> gpd.GeoDataFrame:
    with session_scope(engine) as session:
        frame = level_frame(session, "commune", province_code=NEW_PROVINCE)
    return frame.set_index("code", drop=False)


def published(engine: Engine) -> dict[str, AdminUnit]:
    with session_scope(engine) as session:
        units = session.exec(
            select(AdminUnit).where(AdminUnit.era == 2025, AdminUnit.level == UnitLevel.commune)
        ).all()
        for unit in units:
            session.expunge(unit)
    return {u.code: u for u in units}


def assert_tiles(parts: list, outline) -> None:
    assert all(p.is_valid and not p.is_empty for p in parts)
    total = sum(p.area for p in parts)
    assert total == pytest.approx(outline.area, rel=AREA_RTOL)  # no overlap
    assert shapely.union_all(parts).symmetric_difference(outline).area <= AREA_RTOL * outline.area


def test_init_draws_every_unit_of_both_eras(ha_giang: Engine) -> None:
    status = invoke("boundaries", "status")
    assert status.exit_code == 0, status.output
    assert "2020 district    11 shapes:   11 approximate" in status.output
    assert "2020 commune    193 shapes:  193 approximate" in status.output
    assert f"2025 commune    {COMMUNES_2025} shapes:  {COMMUNES_2025} approximate" in status.output
    assert "2025 district" not in status.output
    communes = communes_2025(ha_giang)
    assert len(communes) == COMMUNES_2025
    assert all(code.endswith("@2025") for code in communes.index)
    assert set(communes["era"]) == {2025}
    assert set(communes["parent_code"]) == {NEW_PROVINCE}
    # The 2020 map of the same database is unchanged by the other era.
    assert len(stored(ha_giang, "commune")) == 193
    # Drawing again changes nothing.
    from readiness.geometry import ensure_approximate_boundaries

    with session_scope(ha_giang) as session:
        assert ensure_approximate_boundaries(session, PROVINCE).written == 0


def test_former_ha_giang_communes_lie_inside_its_2020_outline(ha_giang: Engine) -> None:
    on_ha_giang = former_ha_giang(ha_giang)
    assert len(on_ha_giang) == ON_HA_GIANG_LAND
    communes = communes_2025(ha_giang)
    outline = stored(ha_giang, "province").geometry[PROVINCE]
    mine = [communes.geometry[code] for code in sorted(on_ha_giang)]
    assert_tiles(mine, outline)
    # The 51 on former Tuyên Quang land (whose 2020 units this database does not hold) are
    # cut from its approximate outline, beside Hà Giang's, never overlapping.
    others = [g for code, g in communes.geometry.items() if code not in on_ha_giang]
    assert len(others) == COMMUNES_2025 - ON_HA_GIANG_LAND
    assert shapely.union_all(others).intersection(outline).area < AREA_RTOL * outline.area
    union = shapely.union_all(list(communes.geometry))
    assert sum(g.area for g in communes.geometry) == pytest.approx(union.area, rel=AREA_RTOL)


def test_imported_districts_clip_the_2025_cells(ha_giang: Engine, real_path: Path) -> None:
    result = invoke("boundaries", "import", str(real_path))
    assert result.exit_code == 0, result.output
    assert "districts of 2020 (detected;" in result.output
    imported = shapely.union_all(list(stored(ha_giang, "district").geometry))
    communes = communes_2025(ha_giang)
    on_ha_giang = former_ha_giang(ha_giang)
    assert_tiles([communes.geometry[code] for code in sorted(on_ha_giang)], imported)
    others = [g for code, g in communes.geometry.items() if code not in on_ha_giang]
    assert shapely.union_all(others).intersection(imported).area < AREA_RTOL * imported.area
    units = published(ha_giang)
    areas = areas_km2(communes.geometry)
    median = statistics.median(areas[code] / units[code].area_km2 for code in on_ha_giang)
    print(f"2025 communes in the real Hà Giang: median area / published area = {median:.3f}")
    assert 0.9 < median < 1.1


def _file_of_2025_communes(engine: Engine, *, by: str) -> gpd.GeoDataFrame:
    """A stand-in for an official 2025 file: today's shapes, moved 300 m east so an import
    shows, with published codes (as numbers, as spreadsheets write them) or names only."""
    communes = communes_2025(engine)
    moved = [shapely.affinity.translate(g, xoff=0.003) for g in communes.geometry]
    if by == "code":
        columns = {"MA_XA": [int(c) for c in communes["gso_code"]], "GHI_CHU": "2025"}
    else:
        columns = {"TEN_XA": [without_diacritics(n).upper() for n in communes["name"]]}
    return gpd.GeoDataFrame(columns, geometry=moved, crs="EPSG:4326")


@pytest.mark.parametrize("by", ["code", "name"])
def test_a_2025_commune_file_by_code_or_name(ha_giang: Engine, tmp_path: Path, by: str) -> None:
    before_2020 = stored(ha_giang, "commune")
    frame = _file_of_2025_communes(ha_giang, by=by)
    path = write(frame, tmp_path / f"xa-2025-{by}.geojson")
    # Neither the level nor the era is given: the file says which.
    result = invoke("boundaries", "import", str(path), "--simplify", "0")
    assert result.exit_code == 0, result.output
    assert "communes of 2025 (detected;" in result.output
    assert f"matched {COMMUNES_2025} commune(s):" in result.output
    assert result.output.count(f"(by {by},") == COMMUNES_2025
    communes = communes_2025(ha_giang)
    assert not communes["approximate"].any()
    assert set(communes["source"]) == {path.name}
    for position, code in enumerate(communes.index):
        assert iou(communes.geometry[code], frame.geometry.iloc[position]) > 0.9999, code
    with session_scope(ha_giang) as session:
        province = level_frame(session, "province", province_code=NEW_PROVINCE)
    assert not province["approximate"].iloc[0]
    # The 2020 communes sharing those codes are untouched: the eras never mix.
    after_2020 = stored(ha_giang, "commune")
    assert after_2020["approximate"].all()
    for code in before_2020.index:
        assert after_2020.geometry[code].equals(before_2020.geometry[code]), code


def test_the_era_can_be_given_and_a_2025_district_is_refused(
    ha_giang: Engine, tmp_path: Path
) -> None:
    path = write(_file_of_2025_communes(ha_giang, by="code"), tmp_path / "xa.geojson")
    forced = invoke("boundaries", "import", str(path), "--era", "2025", "--dry-run")
    assert forced.exit_code == 0, forced.output
    assert "communes of 2025 (given by --era)" in forced.output
    assert "dry run: 124 shape(s) would be stored" in forced.output
    wrong = invoke("boundaries", "import", str(path), "--level", "district", "--era", "2025")
    assert wrong.exit_code == 2, wrong.output
    assert "the 2025 structure has no districts" in wrong.output
    assert "Traceback" not in wrong.output
    export = invoke("boundaries", "export", str(tmp_path / "d.geojson"), "--era", "2025")
    assert export.exit_code == 2, export.output
    assert "the 2025 structure has no districts" in export.output


def test_a_2020_commune_file_rebuilds_the_districts(ha_giang: Engine, tmp_path: Path) -> None:
    communes = stored(ha_giang, "commune")
    districts_before = stored(ha_giang, "district")
    offset = 0.004
    frame = gpd.GeoDataFrame(
        {"ma_xa": list(communes["code"]), "ten": list(communes["name"])},
        geometry=[shapely.affinity.translate(g, xoff=offset) for g in communes.geometry],
        crs="EPSG:4326",
    )
    path = write(frame, tmp_path / "xa-2020.gpkg")
    result = invoke("boundaries", "import", str(path), "--level", "commune", "--simplify", "0")
    assert result.exit_code == 0, result.output
    assert "communes of 2020 (detected;" in result.output
    assert "rebuilt 11 district shape(s) from their communes" in result.output
    districts = stored(ha_giang, "district")
    assert not districts["approximate"].any()
    assert set(districts["source"]) == {path.name}
    for code, before in districts_before.geometry.items():
        expected = shapely.affinity.translate(before, xoff=offset)
        assert iou(districts.geometry[code], expected) > 0.999, code
        assert iou(districts.geometry[code], before) < 0.99, code
    province = stored(ha_giang, "province")
    assert not province["approximate"].iloc[0]
    # The 2025 cells on former Hà Giang land now tile the rebuilt outline.
    outline = shapely.union_all(list(districts.geometry))
    today = communes_2025(ha_giang)
    assert_tiles([today.geometry[c] for c in sorted(former_ha_giang(ha_giang))], outline)


def test_a_tuyen_quang_database_cuts_its_communes_from_both_former_provinces(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = init_province(monkeypatch, NEW_PROVINCE)
    with session_scope(engine) as session:
        districts = level_frame(session, "district", province_code=NEW_PROVINCE, era=2020)
        provinces = level_frame(session, "province", province_code=NEW_PROVINCE, era=2020)
        province = level_frame(session, "province", province_code=NEW_PROVINCE)
    assert sorted(provinces["code"]) == ["02", "08"]
    assert set(districts["parent_code"]) == {"02", "08"}
    assert len(districts[districts["parent_code"] == "02"]) == 11
    communes = communes_2025(engine)
    assert len(communes) == COMMUNES_2025
    # The two approximate 2020 outlines overlap a little; the 2025 cells tile their union.
    territory = shapely.union_all(list(provinces.geometry))
    assert_tiles(list(communes.geometry), territory)
    assert iou(province.geometry.iloc[0], territory) > 0.9999
    units = published(engine)
    inside = sum(
        communes.geometry[code].contains(Point(u.longitude, u.latitude))
        for code, u in units.items()
    )
    assert inside >= COMMUNES_2025 - 2  # a point or two beyond the seam of the old provinces
    areas = areas_km2(communes.geometry)
    ratios = [areas[code] / units[code].area_km2 for code in communes.index]
    median = statistics.median(ratios)
    print(f"approximate 2025 communes: median area / published area = {median:.3f}")
    assert 0.9 < median < 1.15
    assert sum(areas.values()) == pytest.approx(sum(u.area_km2 for u in units.values()), rel=0.05)
    status = invoke("boundaries", "status")
    assert status.exit_code == 0, status.output
    assert status.output.splitlines()[0].startswith("2025 province     1 shapes")
    assert "2020 district    18 shapes" in status.output


def test_colliding_codes_keep_their_own_shapes(ha_giang: Engine) -> None:
    # 00694 is a 2020 commune of Hà Giang and, in 2025, Phường Hà Giang 1: two units, two
    # shapes, each in its own era's map.
    with session_scope(ha_giang) as session:
        old = session.get(AdminUnit, "00694")
        new = session.get(AdminUnit, "00694@2025")
        assert old is not None and new is not None
        assert old.name != new.name
    communes_2020 = stored(ha_giang, "commune")
    today = communes_2025(ha_giang)
    assert "00694@2025" not in communes_2020.index
    assert "00694" not in today.index
    a, b = communes_2020.geometry["00694"], today.geometry["00694@2025"]
    assert not a.equals(b)
    # Phường Nguyễn Trãi was merged into Phường Hà Giang 1, a larger commune.
    assert b.area > a.area


def test_a_file_of_units_not_held_is_refused_with_a_hint(
    db_url: str, monkeypatch: pytest.MonkeyPatch, real_path: Path
) -> None:
    # A database of the 2020 Tuyên Quang holds no 2020 Hà Giang: its district file fits
    # nothing well (some names match 2025 communes), and nothing is stored.
    engine = init_province(monkeypatch, "08")
    before = communes_2025(engine)
    result = invoke("boundaries", "import", str(real_path))
    assert result.exit_code == 2, result.output
    assert "the file fits this database's units poorly" in result.output
    assert "nothing stored" in result.output
    after = communes_2025(engine)
    assert after["approximate"].all()
    assert all(after.geometry[c].equals(before.geometry[c]) for c in before.index)
