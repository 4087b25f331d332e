"""Fixtures for the geometry tests: a database holding Hà Giang's units (or initialised for a
province of either era), the real district boundaries (read from the shared folder, never
copied into the project: they are GPL), and helpers to write variants of them as files in
the test's tmp_path and to measure shapes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from ictr.cli.main import app
from inventory.admin_units import load_units
from inventory.db import get_engine, session_scope
from inventory.settings import get_settings
from readiness.geometry.store import level_frame

PROVINCE = "02"
# Today's Tuyên Quang: Hà Giang and the 2020 Tuyên Quang since 1 July 2025.
NEW_PROVINCE = "08@2025"
REAL_DISTRICTS_FILE = "ha-giang-districts-2020.geojson"

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture(name="units_engine")
def units_engine_fixture(engine: Engine) -> Engine:
    """A database at the newest schema holding Hà Giang's 205 units and no shapes."""
    with session_scope(engine) as session:
        load_units(session, province_code=PROVINCE)
    return engine


@pytest.fixture(name="real_path")
def real_path_fixture(shared_data: Path) -> Path:
    return shared_data / REAL_DISTRICTS_FILE


@pytest.fixture(name="real_districts")
def real_districts_fixture(real_path: Path) -> gpd.GeoDataFrame:
    """The 11 real districts (code, name, name_ascii), EPSG:4326, indexed by code."""
    return gpd.read_file(real_path).set_index("code", drop=False)


def init_province(monkeypatch: pytest.MonkeyPatch, province_code: str) -> Engine:
    """`ictr init` for this province (a unit key) in the test's database, which the test's
    later commands also use; its engine."""
    monkeypatch.setenv("ICTR_PROVINCE_CODE", province_code)
    get_settings.cache_clear()
    result = invoke("init")
    assert result.exit_code == 0, result.output
    return get_engine(get_settings().database_url)


def areas_km2(geometries: gpd.GeoSeries | dict[str, BaseGeometry]) -> dict[str, float]:
    """Areas in km², measured in the shapes' UTM zone."""
    series = gpd.GeoSeries(geometries, crs="EPSG:4326")
    metric = series.to_crs(series.estimate_utm_crs())
    return {str(code): float(area) / 1e6 for code, area in metric.area.items()}


def stored(engine: Engine, level: str) -> gpd.GeoDataFrame:
    with session_scope(engine) as session:
        return level_frame(session, level, province_code=PROVINCE).set_index("code", drop=False)


def iou(a: BaseGeometry, b: BaseGeometry) -> float:
    return a.intersection(b).area / a.union(b).area


def without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def write(frame: gpd.GeoDataFrame, path: Path, **kwargs: object) -> Path:
    frame.reset_index(drop=True).to_file(path, engine="pyogrio", **kwargs)
    return path
