"""Slivers are reported, never silently dropped: specks of a unit, overlaps, small gaps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import MultiPolygon, box

from readiness.geometry.slivers import find_slivers
from tests.geometry_fixtures import (
    invoke,
    real_districts_fixture,  # noqa: F401  (the real_districts fixture)
    real_path_fixture,  # noqa: F401  (the real_path fixture)
    stored,
    units_engine_fixture,  # noqa: F401  (the units_engine fixture)
    write,
)

# About 0.001° is 100 m here; 0.0002° about 20 m.
LEFT = box(105.0, 22.0, 105.1, 22.1)
RIGHT = box(105.1, 22.0, 105.2, 22.1)
NAMES = {"001": "Left", "002": "Right"}


def test_a_clean_coverage_has_no_slivers() -> None:
    assert find_slivers({"001": LEFT, "002": RIGHT}, NAMES) == []


def test_a_speck_an_overlap_and_a_gap_are_each_reported() -> None:
    speck = box(105.3, 22.0, 105.3002, 22.0002)  # about 20 m × 22 m
    left = MultiPolygon([box(105.0, 22.0, 105.1002, 22.1), speck])  # 20 m over the border
    right = RIGHT.difference(box(105.15, 22.05, 105.1502, 22.0502))  # a 20 m hole
    lines = find_slivers({"001": left, "002": right}, NAMES)
    assert len(lines) == 3, lines
    assert lines[0].startswith("001 Left: a separate part of 0.0")
    assert lines[0].endswith(" ha (kept)")
    assert lines[1].startswith("001 Left and 002 Right overlap by 22.")  # 20 m × 11 km
    assert lines[2] == "a gap of 0.05 ha between units near 22.05010, 105.15010"


def test_import_reports_a_speck_and_keeps_it(units_engine, real_districts, tmp_path: Path):
    frame = real_districts.reset_index(drop=True).copy()
    row = frame.index[frame["code"] == "031"][0]
    speck = box(104.0, 21.0, 104.0002, 21.0002)  # far outside the province: touches nothing
    frame.loc[row, "geometry"] = MultiPolygon([frame.geometry[row], speck])
    path = write(gpd.GeoDataFrame(frame, crs="EPSG:4326"), tmp_path / "speck.geojson")
    result = invoke("boundaries", "import", str(path), "--simplify", "0")
    assert result.exit_code == 0, result.output
    assert "slivers: 1\n  031 Huyện Bắc Mê: a separate part of " in result.output
    kept = stored(units_engine, "district").geometry["031"]
    assert isinstance(kept, MultiPolygon) and len(kept.geoms) == 2
