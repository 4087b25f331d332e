"""Matching a boundary file's features to units: by GSO code, else by name, whatever the
case, diacritics or unit-type prefix."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import box

from inventory.admin_units import legacy_units
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel
from readiness.geometry.unit_matching import gso_code, match_features
from tests.geometry_fixtures import PROVINCE


@pytest.fixture(scope="module")
def units() -> list[AdminUnit]:
    return legacy_units(PROVINCE)


def level(units: list[AdminUnit], wanted: UnitLevel) -> list[AdminUnit]:
    return [u for u in units if u.level == wanted]


def frame(**columns) -> gpd.GeoDataFrame:
    size = len(next(iter(columns.values())))
    shapes = [box(104.0 + i, 22.0, 104.5 + i, 22.5) for i in range(size)]
    return gpd.GeoDataFrame(columns, geometry=shapes, crs="EPSG:4326")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Huyện Đồng Văn", "026"),
        ("Dong Van", "026"),
        ("H. Đồng Văn", "026"),
        ("HUYỆN  ĐỒNG-VĂN", "026"),
        ("huyen dong van", "026"),
        ("DongVan", "026"),
        ("Thành phố Hà Giang", "024"),
        ("TP. Hà Giang", "024"),
        ("Ha Giang", "024"),
        ("Hoàng Su Phì", "032"),
        ("H.Xín Mần", "033"),
    ],
)
def test_a_district_name_matches_whatever_its_spelling(units, name: str, code: str) -> None:
    result = match_features(frame(ten=[name]), level(units, UnitLevel.district), UnitLevel.district)
    assert result.name_field == "ten"
    assert list(result.matches) == [code]
    assert result.matches[code].how == "name"


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        (26, 3, "026"),
        ("26", 3, "026"),
        (26.0, 3, "026"),
        ("026", 3, "026"),
        (" 026 ", 3, "026"),
        ("26.0", 3, "026"),
        (712, 5, "00712"),
        (26.5, 3, None),
        ("HG026", 3, None),
        ("1234", 3, None),
        (True, 3, None),
        (None, 3, None),
        (math.nan, 3, None),
        ("", 3, None),
    ],
)
def test_gso_code_reads_numbers_and_text(value, width, expected) -> None:
    assert gso_code(value, width) == expected


def test_fields_are_detected_by_content_not_only_by_name(units) -> None:
    data = frame(
        OBJECTID=list(range(24, 35)),  # numbers that look like codes: must not be taken
        MA_HUYEN=[24, *range(26, 36)],
        TEN_HUYEN=[u.short_name for u in level(units, UnitLevel.district)],
    )
    result = match_features(data, level(units, UnitLevel.district), UnitLevel.district)
    assert (result.code_field, result.name_field) == ("MA_HUYEN", "TEN_HUYEN")
    assert sorted(result.matches) == ["024", *[f"0{n}" for n in range(26, 36)]]
    assert {m.how for m in result.matches.values()} == {"code"}


def test_the_code_wins_over_a_contradicting_name(units) -> None:
    result = match_features(
        frame(code=["026"], name=["Mèo Vạc"]), level(units, UnitLevel.district), UnitLevel.district
    )
    assert list(result.matches) == ["026"]
    assert result.notes == [
        "feature 1: code 026 is Huyện Đồng Văn but its name is 'Mèo Vạc'; matched by code"
    ]


def test_a_code_of_another_province_is_not_matched_by_name(units) -> None:
    # Code 001 is Ba Đình (Hà Nội): the feature belongs elsewhere, whatever its name says.
    result = match_features(
        frame(code=["001", "027"], name=["Đồng Văn", "Mèo Vạc"]),
        level(units, UnitLevel.district),
        UnitLevel.district,
    )
    assert list(result.matches) == ["027"]
    assert result.unmatched == {0: "code 001 is no district of this province"}


def test_features_of_one_unit_are_kept_together(units) -> None:
    result = match_features(
        frame(name=["Đồng Văn", "Dong Van"]),
        level(units, UnitLevel.district),
        UnitLevel.district,
    )
    assert result.matches["026"].features == [0, 1]
    assert result.notes == ["026 Huyện Đồng Văn: features 1, 2 merged into one shape"]


def test_a_shared_commune_name_is_decided_by_location(units) -> None:
    communes = level(units, UnitLevel.commune)
    twins = [c for c in communes if c.name == "Xã Tả Lủng"]
    assert len(twins) == 2
    shapes = [
        box(c.longitude - 0.01, c.latitude - 0.01, c.longitude + 0.01, c.latitude + 0.01)
        for c in reversed(twins)
    ]
    data = gpd.GeoDataFrame({"name": ["Ta Lung", "Tả Lủng"]}, geometry=shapes, crs="EPSG:4326")
    result = match_features(data, communes, UnitLevel.commune)
    assert result.matches[twins[1].code].features == [0]
    assert result.matches[twins[0].code].features == [1]


def test_a_shared_name_away_from_both_units_is_reported(units) -> None:
    communes = level(units, UnitLevel.commune)
    data = gpd.GeoDataFrame({"name": ["Tả Lủng"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    result = match_features(data, communes, UnitLevel.commune)
    assert result.matches == {}
    assert result.unmatched[0].startswith("name 'Tả Lủng' fits several units (")


def test_a_named_field_that_does_not_exist_is_an_error(units) -> None:
    with pytest.raises(IctrError, match=r"f\.geojson: no field 'ma' for --code-field; fields: "):
        match_features(
            frame(name=["Đồng Văn"]),
            level(units, UnitLevel.district),
            UnitLevel.district,
            code_field="ma",
            file_name="f.geojson",
        )
