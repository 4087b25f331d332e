"""The approximate shapes a fresh install draws: derived from the unit list, they tile the
province, nest, contain their seats and communes, and resemble the real districts."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import Engine

from inventory.admin_units import legacy_units
from inventory.db import session_scope
from inventory.models import AdminUnit, UnitLevel
from readiness.geometry import (
    APPROXIMATE_LABEL,
    ensure_approximate_boundaries,
    level_feature_collection,
)
from readiness.geometry.approximate import ApproximateShapes, approximate_shapes
from readiness.geometry.store import write_shapes
from tests.geometry_fixtures import (
    PROVINCE,
    invoke,
    iou,
    real_districts_fixture,  # noqa: F401  (the real_districts fixture)
    real_path_fixture,  # noqa: F401  (the real_path fixture)
    stored,
    units_engine_fixture,  # noqa: F401  (the units_engine fixture)
)

# Relative area tolerance for "no gap, no overlap" (floating point, not geography).
AREA_RTOL = 1e-9
# Shapes cut from a shape stored at another precision differ from it along its edge by
# less than the 6-decimal rounding (0.1 m): a few square metres over a district.
ROUNDING_RTOL = 1e-6


@pytest.fixture(scope="module")
def units() -> list[AdminUnit]:
    return legacy_units(PROVINCE)


@pytest.fixture(scope="module")
def shapes(units: list[AdminUnit]) -> ApproximateShapes:
    return approximate_shapes(units)


def assert_tiles(parts: list, outline, rtol: float = AREA_RTOL) -> None:
    """The parts form a valid coverage (no overlap, shared edges identical) and their union is
    the outline (no gap)."""
    assert all(p.is_valid and not p.is_empty for p in parts)
    assert shapely.coverage_is_valid(np.asarray(parts, dtype=object))
    total = sum(p.area for p in parts)
    assert total == pytest.approx(outline.area, rel=rtol)  # no overlap
    union = shapely.union_all(parts)
    assert union.symmetric_difference(outline).area <= rtol * outline.area  # no gap
    for polygon in shapely.get_parts(union):
        assert len(polygon.interiors) == 0  # no hole left between neighbours


def test_districts_and_communes_tile_the_outline(units, shapes) -> None:
    districts = [u for u in units if u.level == UnitLevel.district]
    communes = [u for u in units if u.level == UnitLevel.commune]
    assert sorted(shapes.districts) == sorted(d.code for d in districts)
    assert sorted(shapes.communes) == sorted(c.code for c in communes)
    assert shapes.unplaced == []
    assert_tiles(list(shapes.districts.values()), shapes.outline)
    assert_tiles(list(shapes.communes.values()), shapes.outline)


def test_each_district_contains_its_seat_and_its_communes(units, shapes) -> None:
    for district in (u for u in units if u.level == UnitLevel.district):
        shape = shapes.districts[district.code]
        assert shape.contains(Point(district.longitude, district.latitude)), district.name
        for commune in (u for u in units if u.parent_code == district.code):
            point = Point(commune.longitude, commune.latitude)
            assert shape.contains(point), (district.name, commune.name)
            assert shapes.communes[commune.code].contains(point), commune.name
            assert shape.buffer(1e-9).covers(shapes.communes[commune.code]), commune.name


def test_each_approximate_district_overlaps_its_real_counterpart_most(
    shapes, real_districts, capsys
) -> None:
    rows = []
    for code, shape in sorted(shapes.districts.items()):
        overlaps = {
            other: shape.intersection(real).area for other, real in real_districts.geometry.items()
        }
        scores = {other: iou(shape, real) for other, real in real_districts.geometry.items()}
        rows.append((code, real_districts.loc[code, "name"], scores[code]))
        assert max(overlaps, key=overlaps.__getitem__) == code
        assert max(scores, key=scores.__getitem__) == code
    with capsys.disabled():
        print("\napproximate vs real districts (intersection over union):")
        for code, name, score in rows:
            print(f"  {code} {name:20} IoU {score:.3f}")
        print(f"  mean IoU {np.mean([r[2] for r in rows]):.3f}")


def _unit(code: str, level: UnitLevel, parent: str | None, lon: float, lat: float, box=None):
    west, south, east, north = box or (None, None, None, None)
    return AdminUnit(
        code=code,
        name=code,
        short_name=code,
        unit_type="",
        level=level,
        parent_code=parent,
        longitude=lon,
        latitude=lat,
        bbox_west=west,
        bbox_south=south,
        bbox_east=east,
        bbox_north=north,
    )


def test_a_seat_outside_its_district_becomes_an_extra_seed() -> None:
    # District 001's published point lies among district 002's communes; giving it a seed
    # then pushes district 002's point (close by) out of 002, which needs a second round.
    units = [
        _unit("01", UnitLevel.province, None, 105.0, 22.0),
        _unit("001", UnitLevel.district, "01", 105.17, 22.0),
        _unit("002", UnitLevel.district, "01", 105.16, 22.0),
        _unit("00001", UnitLevel.commune, "001", 105.00, 22.0, (104.95, 21.95, 105.05, 22.05)),
        _unit("00002", UnitLevel.commune, "001", 105.10, 22.0, (105.05, 21.95, 105.15, 22.05)),
        _unit("00003", UnitLevel.commune, "002", 105.20, 22.0, (105.15, 21.95, 105.25, 22.05)),
        _unit("00004", UnitLevel.commune, "002", 105.30, 22.0, (105.25, 21.95, 105.35, 22.05)),
    ]
    shapes = approximate_shapes(units)
    assert shapes.seats_added == ["001", "002"]
    assert shapes.districts["001"].contains(Point(105.17, 22.0))
    assert shapes.districts["002"].contains(Point(105.16, 22.0))
    assert_tiles(list(shapes.districts.values()), shapes.outline)


def test_communes_published_at_one_place_each_get_a_shape() -> None:
    units = [
        _unit("001", UnitLevel.district, None, 105.1, 22.0),
        _unit("00001", UnitLevel.commune, "001", 105.0, 22.0, (104.95, 21.95, 105.05, 22.05)),
        _unit("00002", UnitLevel.commune, "001", 105.0, 22.0, (104.95, 21.95, 105.05, 22.05)),
        _unit("00003", UnitLevel.commune, "001", 105.1, 22.0),  # no box: a typical size
    ]
    shapes = approximate_shapes(units)
    assert sorted(shapes.communes) == ["00001", "00002", "00003"]
    assert all(s.area > 0 for s in shapes.communes.values())
    assert shapes.outline.contains(Point(105.1, 22.0))
    assert_tiles(list(shapes.communes.values()), shapes.outline)


def test_stored_shapes_still_tile_after_the_round_trip_through_geojson(units_engine) -> None:
    with session_scope(units_engine) as session:
        refresh = ensure_approximate_boundaries(session, PROVINCE)
    assert (refresh.province, refresh.districts, refresh.communes) == (1, 11, 193)
    districts = stored(units_engine, "district")
    communes = stored(units_engine, "commune")
    province = stored(units_engine, "province").geometry.iloc[0]
    assert districts["approximate"].all() and communes["approximate"].all()
    assert set(districts["source"]) == {"approximate"}
    assert_tiles(list(districts.geometry), province)
    assert_tiles(list(communes.geometry), province)


def test_ensure_is_idempotent_and_never_overwrites_imported_shapes(
    units_engine: Engine, real_districts
) -> None:
    with session_scope(units_engine) as session:
        ensure_approximate_boundaries(session, PROVINCE)
    with session_scope(units_engine) as session:
        again = ensure_approximate_boundaries(session, PROVINCE)
    assert again.written == 0

    official = real_districts.geometry["026"]
    with session_scope(units_engine) as session:
        write_shapes(session, {"026": official}, approximate=False, source="official.gpkg")
    with session_scope(units_engine) as session:
        refresh = ensure_approximate_boundaries(session, PROVINCE)
    assert refresh.imported_kept == 1
    districts = stored(units_engine, "district")
    assert not districts.loc["026", "approximate"]
    assert districts.loc["026", "source"] == "official.gpkg"
    assert districts.loc["026"].geometry.equals_exact(official, tolerance=1e-9)
    # The approximate communes of 026 are re-cut from the imported shape and tile it.
    communes = stored(units_engine, "commune")
    mine = communes[communes["parent_code"] == "026"]
    assert len(mine) == 19
    assert refresh.communes > 0  # those touching the new border changed
    assert mine["approximate"].all()
    assert_tiles(list(mine.geometry), official, rtol=ROUNDING_RTOL)


def test_feature_collection_labels_approximate_shapes(units_engine) -> None:
    with session_scope(units_engine) as session:
        ensure_approximate_boundaries(session, PROVINCE)
        collection = level_feature_collection(session, "district", province_code=PROVINCE)
        other_province = level_feature_collection(session, "district", province_code="01")
    assert collection["type"] == "FeatureCollection"
    assert collection["approximate"] is True
    assert len(collection["features"]) == 11
    first = collection["features"][0]
    assert first["properties"]["code"] == "024"
    assert first["properties"]["name"] == "Thành phố Hà Giang"
    assert first["properties"]["approximate"] is True
    assert first["properties"]["label"] == APPROXIMATE_LABEL
    assert first["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert other_province["features"] == []


def test_init_draws_the_map_on_a_fresh_install(db_url: str) -> None:
    result = invoke("init")
    assert result.exit_code == 0, result.output
    result = invoke("boundaries", "status")
    assert result.exit_code == 0, result.output
    assert "district    11 shapes:   11 approximate" in result.output
    assert "commune    193 shapes:  193 approximate" in result.output


def test_demo_ends_with_boundaries(db_url: str, tmp_path) -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    out = tmp_path / "communes.geojson"
    result = invoke("boundaries", "export", str(out), "--level", "commune")
    assert result.exit_code == 0, result.output
    assert "wrote 193 commune shapes" in result.output
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert len(collection["features"]) == 193
    assert all(f["properties"]["approximate"] for f in collection["features"])
