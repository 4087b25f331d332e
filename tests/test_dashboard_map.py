"""The map as built in Python: every shape and point, nothing fetched from outside, data
escaped wherever it reaches HTML, legend with units, and where a click leads."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from dashboard.assets import AssetUrls, TileSetting, asset_urls, leaflet_source
from dashboard.colour_scale import (
    CHANGE_PALETTE,
    NO_DATA_COLOUR,
    PALETTE,
    build_change_scale,
    build_scale,
)
from dashboard.map_build import (
    POPUP_LABELS,
    MapIndicator,
    build_map,
    legend_html,
    point_styles,
    popup_labels,
)
from dashboard.map_component import SOURCE_DIR, build_frame_page, clicked_unit, frame_args
from dashboard.map_layers import FeatureLayer, MapLegend
from dashboard.map_page_data import load_map_data
from dashboard.point_status import NO_DATA
from dashboard.queries.points import point_views
from inventory.db import session_scope
from inventory.models import AdminUnit, ConnectionPoint
from readiness.geometry import ensure_approximate_boundaries, level_feature_collection
from tests.dashboard_fixtures import add_probe_rounds, utc_now

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
XSS = "<script>alert(1)</script>"
INDEX = MapIndicator("index", "Chỉ số sẵn sàng tổng hợp (0–1)", "index", True)


@pytest.fixture
def map_demo(demo_engine: Engine) -> Engine:
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
    return demo_engine


def demo_map(
    engine: Engine,
    *,
    values: pd.DataFrame | None = None,
    urls: AssetUrls | None = None,
    **options: object,
):
    with session_scope(engine) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
        points = point_views(session, now=utc_now())
    fmap = build_map(
        shapes=shapes,
        values=values,
        indicator=INDEX,
        points=points,
        lang="vi",
        zone=ZONE,
        urls=urls,
        **options,  # type: ignore[arg-type]
    )
    layers = {c.layer_name: c for c in fmap._children.values() if isinstance(c, FeatureLayer)}
    return fmap, layers


def test_every_district_and_point_is_on_the_map(map_demo: Engine) -> None:
    _, layers = demo_map(map_demo)
    units = layers["units"].data["features"]
    points = layers["points"].data["features"]
    assert len(units) == 11
    assert len(points) == 73
    assert {f["properties"]["kind"] for f in units} == {"unit"}
    assert {f["properties"]["status"] for f in points} == {NO_DATA}
    # Without indicator values every district is grey, and says why.
    assert {f["properties"]["style"]["fillColor"] for f in units} == {NO_DATA_COLOUR}
    assert all("không có dữ liệu" in f["properties"]["tooltip"] for f in units)
    assert all("Ranh giới gần đúng" in f["properties"]["tooltip"] for f in units)


def test_points_take_the_colour_of_their_status(map_demo: Engine) -> None:
    expected = add_probe_rounds(map_demo, now=utc_now())
    _, layers = demo_map(map_demo)
    by_code = {f["properties"]["code"]: f["properties"] for f in layers["points"].data["features"]}
    styles = point_styles()
    for code, status in expected.items():
        assert by_code[code]["status"] == status
        assert f"ictr-status-{status}" in styles[status]["className"]
    assert styles["down"]["fillColor"] != styles["up"]["fillColor"]
    up = next(c for c, s in expected.items() if s == "up")
    cells = dict(zip(POPUP_LABELS, by_code[up]["cells"], strict=True))
    assert cells["availability_24h"] == "100,0%"
    assert cells["loss"] == "0,0%"
    assert cells["status"] == "Hoạt động"
    assert popup_labels("vi")[POPUP_LABELS.index("median_rtt")] == "Độ trễ trung vị"


def test_nothing_is_fetched_from_outside(map_demo: Engine) -> None:
    # A page of its own (the benchmark's baseline): Leaflet from where it is told only.
    fmap, _ = demo_map(map_demo, urls=asset_urls())
    html = fmap.get_root().render()
    assert not re.findall(r"https?://", html), re.findall(r"https?://\S+", html)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == ["../../app/static/vendor/leaflet/leaflet.js",
                       "../../app/static/vendor/leaflet/leaflet.css"]  # fmt: skip
    # What the dashboard's frame receives: a script naming no address at all.
    fmap, _ = demo_map(map_demo)
    args = frame_args(fmap)
    assert not re.findall(r"https?://", args["script"] + args["css"])
    assert "<script" not in args["script"] and "<link" not in args["script"]


def test_the_map_frame_is_one_page_with_leaflet_inside(tmp_path: Path) -> None:
    page = build_frame_page(tmp_path).read_text(encoding="utf-8")
    leaflet = leaflet_source()
    assert (leaflet / "leaflet.js").read_text(encoding="utf-8")[:200] in page
    assert (SOURCE_DIR / "map_frame.js").read_text(encoding="utf-8")[-200:] in page
    # Nothing for the browser to fetch, but Leaflet's own images from the dashboard.
    assert "<script src" not in page and "<link" not in page
    images = re.findall(r"url\(([^)#]+)\)", page)
    assert images and all(
        url.startswith(f"{asset_urls().leaflet_css.rsplit('/', 1)[0]}/images/") for url in images
    )
    assert page.count("<script>") == page.count("</script>") == 2
    # Built again from the same sources: left as it is.
    before = (tmp_path / "index.html").stat().st_mtime_ns
    build_frame_page(tmp_path)
    assert (tmp_path / "index.html").stat().st_mtime_ns == before


def test_a_local_tile_server_is_the_only_url(map_demo: Engine) -> None:
    tiles = TileSetting("http://tiles.so-tt.local/{z}/{x}/{y}.png", "Sở TT&TT")
    fmap, _ = demo_map(map_demo, tiles=tiles)
    html = fmap.get_root().render()
    assert set(re.findall(r"https?://[^/\"']+", html)) == {"http://tiles.so-tt.local"}
    assert '"attribution": "S\\u1edf TT\\u0026amp;TT"' in html  # escaped, then JSON


def test_names_from_the_data_are_escaped(map_demo: Engine) -> None:
    with session_scope(map_demo) as session:
        point = session.exec(select(ConnectionPoint).limit(1)).one()
        point.name = XSS
        point.address = '10.0.0.1" onmouseover="alert(2)'
        session.add(point)
        district = session.get(AdminUnit, "026")
        assert district is not None
        district.name = f"Huyện {XSS}"
        session.add(district)
        code = point.code
    fmap, layers = demo_map(map_demo)
    props = {f["properties"]["code"]: f["properties"] for f in layers["points"].data["features"]}
    assert props[code]["title"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert props[code]["cells"][1] == "10.0.0.1&quot; onmouseover=&quot;alert(2)"
    assert props[code]["tooltip"].startswith("&lt;script&gt;")
    unit = next(f for f in layers["units"].data["features"] if f["properties"]["code"] == "026")
    assert "Huyện &lt;script&gt;alert(1)&lt;/script&gt;" in unit["properties"]["tooltip"]
    # Neither the page folium renders nor the script the map frame runs holds the tag.
    fmap_for_frame, _ = demo_map(map_demo)
    for text in (fmap.get_root().render(), frame_args(fmap_for_frame)["script"]):
        assert "<script>alert" not in text
        assert '" onmouseover' not in text


def test_indicator_values_colour_the_districts_and_rank_them(map_demo: Engine) -> None:
    with session_scope(map_demo) as session:
        codes = [
            f["properties"]["code"]
            for f in level_feature_collection(session, "district", province_code="02")["features"]
        ]
    values = pd.DataFrame(
        {
            "code": codes,
            "name": codes,
            "value": [0.1 * i for i in range(10)] + [math.nan],
            "rank": pd.array(list(range(10, 0, -1)) + [None], dtype="Int64"),
        }
    )
    _, layers = demo_map(map_demo, values=values)
    props = {f["properties"]["code"]: f["properties"] for f in layers["units"].data["features"]}
    best, worst, missing = codes[9], codes[0], codes[10]
    assert props[best]["style"]["fillColor"] == PALETTE[-1]
    assert props[worst]["style"]["fillColor"] == PALETTE[0]
    assert props[missing]["style"]["fillColor"] == NO_DATA_COLOUR
    assert "0,900" in props[best]["tooltip"] and "Xếp hạng</th><td>1/10" in props[best]["tooltip"]
    assert "không có dữ liệu" in props[missing]["tooltip"]
    assert "Xếp hạng" not in props[missing]["tooltip"]


def test_legend_names_the_unit_and_the_classes() -> None:
    indicator = MapIndicator("mean_computer_age_years", "Tuổi trung bình", "years", False)
    scale = build_scale([3.0, 4.5, 6.0], higher_is_better=False)
    html = legend_html(
        indicator, scale, lang="vi", with_points=True, approximate=False, source="ranh-gioi.geojson"
    )
    assert "Tuổi trung bình (năm)" in html
    assert "3,0 năm – 4,0 năm" in html
    assert "Mất kết nối" in html and "Hoạt động" in html
    assert "Nguồn ranh giới: ranh-gioi.geojson" in html
    # Lower is better: the lowest class gets the darkest colour.
    assert scale.colour(3.0) == PALETTE[-1] and scale.colour(6.0) == PALETTE[0]
    english = legend_html(
        INDEX, build_scale([0.5]), lang="en", with_points=False, approximate=True, source=None
    )
    assert "Approximate boundaries" in english and "no data" in english


def test_colour_scale_edges() -> None:
    assert build_scale([]).colour(1.0) == NO_DATA_COLOUR
    single = build_scale([5.0, 5.0])
    assert len(single.classes) == 1 and single.colour(5.0) == PALETTE[-1]
    two = build_scale([1.0, 2.0])
    assert [c.colour for c in two.classes] == [PALETTE[0], PALETTE[-1]]
    assert build_scale([1.0, 2.0, 3.0]).colour(math.nan) == NO_DATA_COLOUR
    five = build_scale([float(v) for v in range(100)])
    assert len(five.classes) == 5 and five.classes[-1].high == 99.0


def test_the_change_scale_is_centred_on_no_change() -> None:
    scale = build_change_scale([-0.1, 0.05, 0.5])
    # Symmetric around zero whatever the largest rise: no change is the pale middle.
    assert [c.low for c in scale.classes][0] == -0.5 and scale.classes[-1].high == 0.5
    assert scale.colour(0.0) == CHANGE_PALETTE[2]
    assert scale.colour(0.5) == CHANGE_PALETTE[-1] and scale.colour(-0.5) == CHANGE_PALETTE[0]
    assert scale.colour(math.nan) == NO_DATA_COLOUR
    # Lower is better (a latency): a fall is blue.
    assert build_change_scale([-3.0, 3.0], higher_is_better=False).colour(-3.0) == "#0571b0"
    assert build_change_scale([0.0, 0.0]).colour(0.0) == CHANGE_PALETTE[2]
    assert build_change_scale([]).colour(1.0) == NO_DATA_COLOUR


def test_today_s_communes_without_data_say_so(map_demo: Engine) -> None:
    """The communes of former Tuyên Quang: grey, 'Chưa có dữ liệu' in their tooltip, counted
    in the legend; in compare mode a commune's tooltip gives both dates' values."""
    with session_scope(map_demo) as session:
        data = load_map_data(
            session, level="commune", province_code="02", at=date(2026, 11, 30), now=utc_now()
        )
        compared = load_map_data(
            session,
            level="commune",
            province_code="02",
            at=date(2026, 11, 30),
            start=date(2020, 12, 31),
            now=utc_now(),
        )
    fmap = data.folium_map(indicator_key="index", lang="vi", zone=ZONE, urls=None, tiles=None)
    layers = {c.layer_name: c for c in fmap._children.values() if isinstance(c, FeatureLayer)}
    props = [f["properties"] for f in layers["units"].data["features"]]
    assert len(props) == 124
    grey = [p for p in props if p["style"]["fillColor"] == NO_DATA_COLOUR]
    said = [p for p in props if "Chưa có dữ liệu" in p["tooltip"]]
    assert len(grey) == len(said) == 51 and grey == said
    legend = next(c for c in fmap._children.values() if isinstance(c, MapLegend))
    assert "51 đơn vị chưa có dữ liệu" in legend.html
    fmap = compared.folium_map(indicator_key="index", lang="en", zone=ZONE, urls=None, tiles=None)
    layers = {c.layer_name: c for c in fmap._children.values() if isinstance(c, FeatureLayer)}
    values = compared.values("index").set_index("code")
    for feature in layers["units"].data["features"]:
        code, tip = feature["properties"]["code"], feature["properties"]["tooltip"]
        assert "2020-12-31" in tip and "2026-11-30" in tip and "Change:" in tip
        if values.at[code, "has_data"]:
            change = values.at[code, "value_to"] - values.at[code, "value_from"]
            assert values.at[code, "value"] == pytest.approx(change)


def test_a_click_on_a_district_names_it() -> None:
    # The value the map frame sends (map_frame.js, ictrSelect).
    assert clicked_unit({"kind": "unit", "code": "026", "at": 1}) == "026"
    assert clicked_unit({"kind": "point", "code": "HG-P001", "at": 2}) is None
    assert clicked_unit({"kind": "unit", "code": None}) is None
    assert clicked_unit(None) is None


def test_only_the_units_answer_a_click(map_demo: Engine) -> None:
    _, layers = demo_map(map_demo)
    assert layers["units"].selectable and not layers["points"].selectable
    fmap, _ = demo_map(map_demo)
    script = frame_args(fmap)["script"]
    assert script.count("window.ictrSelect(p)") == 1


def test_the_frame_redraws_only_a_changed_map(map_demo: Engine) -> None:
    fmap, _ = demo_map(map_demo)
    args = frame_args(fmap)
    assert frame_args(fmap) == args  # the same map again: nothing to redraw
    assert args["script"].count(f"var {args['map_id']} = L.map(") == 1
    other, _ = demo_map(map_demo, tiles=TileSetting("http://tiles.local/{z}/{x}/{y}.png", "x"))
    assert frame_args(other)["version"] != args["version"]


def test_asset_urls_are_relative_to_the_component_frame() -> None:
    assert asset_urls() == AssetUrls(
        "../../app/static/vendor/leaflet/leaflet.js", "../../app/static/vendor/leaflet/leaflet.css"
    )
