"""`ictr boundaries import`: official files in any format and CRS, matched by code or name,
repaired, simplified without gaps, reported, and stored only when complete."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from pyproj.transformer import TransformerGroup
from shapely.geometry import Polygon

from tests.geometry_fixtures import (
    invoke,
    iou,
    real_districts_fixture,  # noqa: F401  (the real_districts fixture)
    real_path_fixture,  # noqa: F401  (the real_path fixture)
    stored,
    units_engine_fixture,  # noqa: F401  (the units_engine fixture)
    without_diacritics,
    write,
)

CODES = ["024", *[f"0{n}" for n in range(26, 36)]]


@pytest.fixture(name="initialised")
def initialised_fixture(db_url: str):
    """A database as `ictr init` leaves it: units and approximate shapes."""
    result = invoke("init")
    assert result.exit_code == 0, result.output
    from inventory.db import get_engine

    return get_engine(db_url)


def import_ok(*args: str) -> str:
    result = invoke("boundaries", "import", *args)
    assert result.exit_code == 0, result.output
    return result.output


def hausdorff_m(a, b) -> float:
    """Largest distance between two shapes in EPSG:4326, measured in metres (UTM 48N)."""
    pair = gpd.GeoSeries([a, b], crs="EPSG:4326").to_crs("EPSG:32648")
    return float(pair.iloc[0].hausdorff_distance(pair.iloc[1]))


def test_the_real_file_matches_all_districts_by_code(initialised, real_path, real_districts):
    output = import_ok(str(real_path))
    assert "matched 11 district(s):" in output
    assert output.count("(by code,") == 11
    assert "districts without geometry: 0" in output
    assert "features that matched nothing: 0" in output
    assert "stored 11 district shape(s) from ha-giang-districts-2020.geojson" in output
    districts = stored(initialised, "district")
    assert sorted(districts.index) == CODES
    assert not districts["approximate"].any()
    assert set(districts["source"]) == {"ha-giang-districts-2020.geojson"}
    for code in CODES:
        assert iou(districts.geometry[code], real_districts.geometry[code]) > 0.999
    province = stored(initialised, "province")
    assert not province["approximate"].iloc[0]
    status = invoke("boundaries", "status")
    assert status.exit_code == 0, status.output
    assert "11 imported from ha-giang-districts-2020.geojson (11, 20" in status.output
    # Approximate communes are re-cut to nest in the imported districts.
    communes = stored(initialised, "commune")
    assert communes["approximate"].all()
    for code in CODES:
        mine = communes[communes["parent_code"] == code]
        union = shapely.union_all(list(mine.geometry))
        assert iou(union, districts.geometry[code]) > 0.99999


def test_names_without_codes_or_diacritics_still_match(initialised, real_districts, tmp_path: Path):
    plain = gpd.GeoDataFrame(
        {"ten": [without_diacritics(n) for n in real_districts["name"]]},
        geometry=list(real_districts.geometry),
        crs="EPSG:4326",
    )
    assert "Dong Van" in set(plain["ten"])
    path = write(plain, tmp_path / "names-only.geojson")
    output = import_ok(str(path))
    assert "matched by code field -, then name field ten" in output
    assert output.count("(by name,") == 11
    assert sorted(stored(initialised, "district").index) == CODES


@pytest.mark.parametrize(
    ("crs", "suffix"),
    [("EPSG:32648", ".gpkg"), ("EPSG:32648", ".shp"), ("EPSG:3405", ".gpkg")],
    ids=["utm48n-gpkg", "utm48n-shp", "vn2000-utm48n-gpkg"],
)
def test_a_projected_file_comes_back_within_a_metre(
    initialised, real_districts, tmp_path: Path, crs: str, suffix: str
):
    projected = real_districts.reset_index(drop=True).to_crs(crs)
    path = write(projected, tmp_path / f"projected{suffix}")
    output = import_ok(str(path), "--simplify", "0")
    assert f"reprojected from {projected.crs.name}" in output
    districts = stored(initialised, "district")
    for code in CODES:
        assert hausdorff_m(districts.geometry[code], real_districts.geometry[code]) < 1.0, code


def test_vn2000_is_shifted_to_wgs84_not_just_relabelled():
    # VN-2000 and WGS 84 differ by a datum shift of a few hundred metres here; a CRS
    # conversion that ignored it would be "within a metre" on a round trip yet wrong.
    vn2000 = Transformer.from_crs("EPSG:4326", "EPSG:3405", always_xy=True)
    wgs84 = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    x1, y1 = vn2000.transform(105.0, 22.8)
    x2, y2 = wgs84.transform(105.0, 22.8)
    assert 100 < np.hypot(x1 - x2, y1 - y2) < 1000
    operations = TransformerGroup("EPSG:3405", "EPSG:4326").transformers
    assert all("VN-2000 to WGS 84" in t.description for t in operations)


def test_a_crs_without_datum_shift_is_imported_with_a_warning(
    initialised, real_districts, tmp_path: Path
):
    # A local transverse Mercator grid on an unnamed datum, as a VN-2000 .prj without
    # TOWGS84 reads: PROJ can only guess, and the report must say so. (Its central meridian
    # is no official VN-2000 zone, else GDAL would recognise the zone and its datum.)
    bare = "+proj=tmerc +lat_0=0 +lon_0=105.4 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m"
    path = write(real_districts.to_crs(bare), tmp_path / "vn2000-no-towgs84.gpkg")
    output = import_ok(str(path))
    assert "note: warning: no datum shift is known from " in output
    assert "if the file is in VN-2000" in output
    assert "stored 11 district shape(s)" in output


def test_a_self_intersecting_polygon_is_repaired(initialised, real_districts, tmp_path: Path):
    frame = real_districts.reset_index(drop=True).copy()
    row = frame.index[frame["code"] == "026"][0]
    ring = list(frame.geometry[row].exterior.coords)
    ring[10], ring[11] = ring[11], ring[10]  # a twist: the ring now crosses itself
    twisted = Polygon(ring)
    assert not twisted.is_valid
    frame.loc[row, "geometry"] = twisted
    path = write(frame, tmp_path / "twisted.geojson")
    output = import_ok(str(path))
    assert "repaired invalid geometry: 1" in output
    assert "026 Huyện Đồng Văn (feature" in output
    districts = stored(initialised, "district")
    assert districts.geometry["026"].is_valid
    assert iou(districts.geometry["026"], real_districts.geometry["026"]) > 0.99


def test_a_file_missing_a_district_is_refused_unless_partial(
    initialised, real_districts, tmp_path: Path
):
    path = write(real_districts[real_districts["code"] != "030"], tmp_path / "ten.geojson")
    result = invoke("boundaries", "import", str(path))
    assert result.exit_code == 2, result.output
    assert "districts without geometry: 1\n  030 Huyện Vị Xuyên" in result.output
    assert "error: ten.geojson: nothing stored: 1 of 11 districts have no geometry" in (
        result.output
    )
    assert stored(initialised, "district")["approximate"].all()

    output = import_ok(str(path), "--allow-partial")
    assert "stored 10 district shape(s)" in output
    districts = stored(initialised, "district")
    assert districts["approximate"].sum() == 1
    assert districts.loc["030", "approximate"]
    assert stored(initialised, "province")["approximate"].iloc[0]


def test_features_of_other_units_are_reported_not_stored(
    initialised, real_districts, tmp_path: Path
):
    stranger = gpd.GeoDataFrame(
        {"code": ["001"], "name": ["Ba Đình"], "name_ascii": ["Ba Dinh"]},
        geometry=[shapely.box(105.80, 21.02, 105.85, 21.05)],
        crs="EPSG:4326",
    )
    frame = pd.concat([real_districts.reset_index(drop=True), stranger], ignore_index=True)
    path = write(gpd.GeoDataFrame(frame, crs="EPSG:4326"), tmp_path / "with-hanoi.geojson")
    output = import_ok(str(path))
    assert "features that matched nothing: 1" in output
    assert "feature 12 code=001 name=Ba Đình: code 001 is no district of this province" in output
    assert "stored 11 district shape(s)" in output


@pytest.mark.parametrize("kind", ["shp", "zip", "gpkg", "kml"])
def test_every_supported_format_imports(initialised, real_districts, tmp_path: Path, kind):
    frame = real_districts.reset_index(drop=True)
    if kind == "kml":
        path = write(frame, tmp_path / "districts.kml", driver="KML")
    else:
        path = write(frame, tmp_path / f"districts.{'shp' if kind == 'zip' else kind}")
    if kind == "zip":
        archive = tmp_path / "districts.zip"
        with zipfile.ZipFile(archive, "w") as bundle:
            for part in tmp_path.glob("districts.*"):
                if part.suffix != ".zip":
                    bundle.write(part, part.name)
        path = archive
    output = import_ok(str(path))
    assert "matched 11 district(s):" in output
    assert not stored(initialised, "district")["approximate"].any()


def test_a_file_with_several_layers_needs_layer(initialised, real_districts, tmp_path: Path):
    path = tmp_path / "layers.gpkg"
    write(real_districts, path, layer="districts_2020")
    write(real_districts.head(3), path, layer="districts_old")
    result = invoke("boundaries", "import", str(path))
    assert result.exit_code == 2, result.output
    assert (
        "error: layers.gpkg has 2 layers (districts_2020, districts_old): "
        "choose one with --layer" in result.output
    )
    output = import_ok(str(path), "--layer", "districts_2020")
    assert "file layers.gpkg, layer districts_2020" in output


def test_dry_run_reports_and_stores_nothing(initialised, real_path):
    output = import_ok(str(real_path), "--dry-run")
    assert "matched 11 district(s):" in output
    assert "dry run: 11 shape(s) would be stored; nothing stored" in output
    assert stored(initialised, "district")["approximate"].all()


def test_simplification_drops_vertices_but_opens_no_gap(
    initialised, real_districts, tmp_path: Path
):
    # Extra vertices every ~5 m, nudged off the line by up to 0.5 m: what a surveyed file has.
    rng = np.random.default_rng(7)
    dense = real_districts.reset_index(drop=True).to_crs("EPSG:32648")
    dense["geometry"] = shapely.segmentize(dense.geometry.values, 5.0)
    # Neighbours share their vertices (rounded to the millimetre) and so their nudges.
    coords = np.round(shapely.get_coordinates(dense.geometry.values), 3)
    jitter = {tuple(c): rng.uniform(-0.5, 0.5, size=2) for c in np.unique(coords, axis=0)}

    def nudge(xy: np.ndarray) -> np.ndarray:
        xy = np.round(xy, 3)
        return xy + np.array([jitter[tuple(c)] for c in xy])

    dense["geometry"] = [shapely.transform(g, nudge) for g in dense.geometry]
    assert dense.is_valid.all() and shapely.coverage_is_valid(dense.geometry.values)
    path = write(dense, tmp_path / "dense.gpkg")
    output = import_ok(str(path))
    line = next(s for s in output.splitlines() if s.startswith("vertices:"))
    before, after = (int(w) for w in line.split() if w.isdigit())
    assert after < before / 5
    districts = stored(initialised, "district")
    assert shapely.coverage_is_valid(np.asarray(list(districts.geometry), dtype=object))
    union = shapely.union_all(list(districts.geometry))
    assert len(union.interiors) == 0
    for code in CODES:
        assert hausdorff_m(districts.geometry[code], real_districts.geometry[code]) < 30, code


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.geojson"], "missing.geojson: no such file"),
        (["{tmp}/table.csv"], "table.csv: unsupported file type .csv"),
        (["{real}", "--code-field", "MA"], "no field 'MA' for --code-field; fields: code, name"),
        (["{real}", "--level", "province"], "Invalid value for '--level'"),
    ],
    ids=["no-file", "csv", "unknown-field", "bad-level"],
)
def test_bad_input_is_one_clear_line(initialised, real_path, tmp_path: Path, args, message):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    args = [a.format(tmp=tmp_path, real=real_path) for a in args]
    result = invoke("boundaries", "import", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_commune_file_matches_by_name_and_location(initialised, tmp_path: Path):
    # Two communes are called "Xã Tả Lủng" (in Đồng Văn and in Mèo Vạc): their location
    # decides. Build a commune file from the approximate shapes, names only.
    communes = stored(initialised, "commune").reset_index(drop=True)
    assert (communes["name"] == "Xã Tả Lủng").sum() == 2
    names = gpd.GeoDataFrame(
        {"TEN_XA": [without_diacritics(n).upper() for n in communes["name"]]},
        geometry=list(communes.geometry),
        crs="EPSG:4326",
    )
    path = write(names, tmp_path / "communes.shp")
    output = import_ok(str(path), "--level", "commune", "--simplify", "0")
    assert "matched 193 commune(s):" in output
    result = stored(initialised, "commune")
    assert not result["approximate"].any()
    for code in result.index:
        original = communes.set_index("code").geometry[code]
        assert iou(result.geometry[code], original) > 0.9999, code
