"""Names that look like code stay names: data is never template text, HTML or Markdown.

Agencies, points, computers and a boundary file whose names carry Jinja (`{{ 7*191 }}`,
`{% if 1 %}X{% endif %}`, an unbalanced `{{`, the server-side template injection of issue
12), HTML (`<script>`, `<img onerror>`) and Markdown come in through `ictr import` and
`ictr boundaries import`. The map built from them for the dashboard's frame must render
without an error, evaluate nothing (no `1337`, no `uid=`) and carry every name exactly as
typed; the dashboard's pages must show them as typed too (AppTest, and Chromium driven by
`tests/hostile_names_browser.py`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium
import pytest
from branca.element import Element
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.assets import tile_setting
from dashboard.map_build import MapIndicator, build_map
from dashboard.map_component import frame_args
from dashboard.queries.points import point_views
from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.models import AdminUnit, Agency, Computer, ConnectionPoint
from inventory.settings import get_settings
from readiness.geometry import level_feature_collection
from tests.conftest import PROJECT_ROOT
from tests.dashboard_browser import app_server, free_port, network_namespace
from tests.dashboard_fixtures import (  # noqa: F401  (fixtures used by name)
    EDITOR_PASSWORD,
    editor_password,
    utc_now,
)
from tests.hostile_names_browser import run_in
from tests.import_fixtures import write_csv
from tests.page_text import markdown_shown, shown
from tests.test_dashboard_e2e import browser_ready  # noqa: F401  (the fixture)

SSTI = "Điểm {{ cycler.__init__.__globals__.os.popen(dict(id=1)|first).read()|trim }}"
PAYLOADS = [
    "{{ 7*191 }}",
    "{% if 1 %}X{% endif %}",
    "{{",
    "}}",
    "{%",
    "{#",
    SSTI,
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](http://host/a.png)",
    "[link](javascript:alert(1))",
    "**bold** :red[red] $x^2$ :material/lock: :smile:",
]
BOUNDARY_FILE = "{{7*191}}.geojson"
# Units come only from `ictr init`'s own list; a district renamed in the database (shared
# with other tools) is the one way a hostile unit name reaches the pages.
DISTRICT = "026"
DISTRICT_NAME = (
    "Huyện **Đồng** [Văn](javascript:alert(1)) {{ 7*191 }} <b>x</b> :red[đỏ] $x^2$ :smile:"
)
EVALUATED = ("1337", "uid=")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
INDEX = MapIndicator("index", "Chỉ số sẵn sàng tổng hợp (0–1)", "index", True)

runner = CliRunner()


def ictr(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def point_code(i: int) -> str:
    return f"HP-{i:02d}"


def import_hostile_files(folder: Path) -> None:
    """What a careless or hostile spreadsheet and boundary file bring, through the CLI,
    into a database as `ictr init` leaves it."""
    ictr("init")
    # One commune each: names of punctuation alone ("{{", "}}") are the same name to the
    # importer's agency matching, which ignores punctuation.
    with Session(get_engine()) as session:
        communes = session.exec(
            select(AdminUnit.code).where(AdminUnit.parent_code == DISTRICT).order_by(AdminUnit.code)
        ).all()
    header = ["Mã cơ quan", "Tên cơ quan", "Loại cơ quan", "Mã ĐVHC", "Số CBCCVC"]
    agencies = [[f"HA-{i:02d}", p, "UBND xã", communes[i], 10] for i, p in enumerate(PAYLOADS)]
    ictr("import", "agencies", str(write_csv(folder / "co-quan.csv", [header, *agencies])))
    header = ["Mã điểm", "Tên điểm", "Mã cơ quan", "Địa chỉ IP", "Vĩ độ", "Kinh độ", "Máy đo"]
    points = [
        # A ring of points in Đồng Văn, where the map draws them apart from each other.
        [point_code(i), p, f"HA-{i:02d}", f"127.31.0.{i + 1}", 23.20 + 0.01 * (i % 4),
         105.25 + 0.02 * (i // 4), p[:64]]
        for i, p in enumerate(PAYLOADS)
    ]  # fmt: skip
    ictr("import", "points", str(write_csv(folder / "diem.csv", [header, *points])))
    header = ["Mã tài sản", "Loại máy", "Hãng sản xuất", "Model", "Hệ điều hành", "Năm mua",
              "Tình trạng", "Mã cơ quan", "Ghi chú"]  # fmt: skip
    computers = [
        [f"HT-{i:02d}", "desktop", p, p, p, 2020, "in_use", f"HA-{i:02d}", p]
        for i, p in enumerate(PAYLOADS)
    ]
    ictr("import", "computers", str(write_csv(folder / "may.csv", [header, *computers])))
    # The province's own district shapes, in a file whose name is a template.
    with session_scope(get_engine()) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
    for feature in shapes["features"]:
        feature["properties"] = {"ma_huyen": feature["properties"]["code"]}
    boundary = folder / BOUNDARY_FILE
    boundary.write_text(json.dumps({"type": "FeatureCollection", **shapes}), encoding="utf-8")
    output = ictr("boundaries", "import", str(boundary), "--level", "district")
    assert f"from {BOUNDARY_FILE}" in output


def rename_district(engine: Engine) -> None:
    with session_scope(engine) as session:
        unit = session.get(AdminUnit, DISTRICT)
        assert unit is not None
        unit.name = DISTRICT_NAME
        session.add(unit)


@pytest.fixture
def hostile(db_url: str, tmp_path: Path) -> Engine:
    import_hostile_files(tmp_path)
    engine = get_engine(db_url)
    rename_district(engine)
    return engine


def test_the_cli_stores_hostile_names_as_typed(hostile: Engine) -> None:
    with Session(hostile) as session:
        agencies = {a.code: a.name for a in session.exec(select(Agency)) if a.code}
        points = {p.code: p for p in session.exec(select(ConnectionPoint))}
        computers = {c.asset_tag: c for c in session.exec(select(Computer))}
    for i, payload in enumerate(PAYLOADS):
        assert agencies[f"HA-{i:02d}"] == payload
        assert (points[point_code(i)].name, points[point_code(i)].agent) == (payload, payload[:64])
        computer = computers[f"HT-{i:02d}"]
        assert (computer.manufacturer, computer.model, computer.os, computer.notes) == (
            payload,
            payload,
            payload,
            payload,
        )


# -- the map ------------------------------------------------------------------------------


def _json_after(script: str, marker: str) -> list[Any]:
    """Every JSON value written into the script right after `marker`."""
    decoder = json.JSONDecoder()
    values, start = [], script.find(marker)
    while start >= 0:
        at = start + len(marker)
        at += len(script[at:]) - len(script[at:].lstrip())
        value, _ = decoder.raw_decode(script, at)
        values.append(value)
        start = script.find(marker, start + 1)
    return values


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def hostile_map(engine: Engine, lang: str = "vi") -> dict[str, str]:
    with session_scope(engine) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
        points = point_views(session, now=utc_now())
    fmap = build_map(
        shapes=shapes, values=None, indicator=INDEX, points=points, lang=lang, zone=ZONE,
        urls=None,
    )  # fmt: skip
    return frame_args(fmap)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_map_carries_every_name_as_typed_and_evaluates_none(hostile: Engine, lang: str) -> None:
    script = hostile_map(hostile, lang)["script"]
    assert "uid=" not in script
    layers = _json_after(script, "L.geoJSON(")
    assert len(layers) == 2  # districts, points
    units = {f["properties"]["code"]: f["properties"] for f in layers[0]["features"]}
    points = {f["properties"]["code"]: f["properties"] for f in layers[1]["features"]}
    (legend,) = _json_after(script, "div.innerHTML = ")
    texts = [*_strings(layers), legend]
    assert not [t for t in texts for bad in EVALUATED if bad in t]
    # A district's tooltip: its name, as typed, and no element from it.
    text, tags = shown(units[DISTRICT]["tooltip"])
    assert text.startswith(DISTRICT_NAME)
    assert tags.count("b") == 1  # the tooltip's own <b>, not the one in the name
    assert units[DISTRICT]["name"] == DISTRICT_NAME
    for i, payload in enumerate(PAYLOADS):
        point = points[point_code(i)]
        text, tags = shown(point["tooltip"])
        assert text.startswith(f"{payload} — "), text
        assert tags == []
        assert shown(point["title"]) == (payload, [])
    # The legend names the boundary file as it is called.
    text, tags = shown(legend)
    assert BOUNDARY_FILE in text
    assert set(tags) == {"div", "span"}


def test_a_plain_page_of_the_map_renders_the_same_names(hostile: Engine) -> None:
    # The page folium writes by itself (the benchmark's baseline) goes the same way.
    with session_scope(hostile) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
        points = point_views(session, now=utc_now())
    fmap = build_map(
        shapes=shapes, values=None, indicator=INDEX, points=points, lang="vi", zone=ZONE,
        urls=None,
    )  # fmt: skip
    page = fmap.get_root().render()
    assert "uid=" not in page
    assert json.dumps(SSTI, ensure_ascii=False) in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_tile_settings_reach_the_map_as_typed(
    hostile: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The base map's address and attribution come from the settings, the same way.
    url = "http://tiles.local/{z}/{x}/{y}.png?v={{ 7*191 }}"
    attribution = "{{ 7*191 }} {% if 1 %}X{% endif %} {{ <b>OSM</b>"
    monkeypatch.setenv("ICTR_TILE_URL", url)
    monkeypatch.setenv("ICTR_TILE_ATTRIBUTION", attribution)
    get_settings.cache_clear()
    with session_scope(hostile) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
    fmap = build_map(
        shapes=shapes, values=None, indicator=INDEX, points=None, lang="vi", zone=ZONE,
        urls=None, tiles=tile_setting(),
    )  # fmt: skip
    script = frame_args(fmap)["script"]
    assert _json_after(script, "L.tileLayer(") == [url]
    (written,) = re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', script)
    # Leaflet shows the attribution as HTML: escaped, so it reads as typed.
    assert shown(json.loads(written)) == (attribution, [])


@pytest.mark.parametrize("element", ["marker", "header"])
def test_frame_args_refuses_an_element_that_renders_data_as_a_template(
    hostile: Engine, element: str
) -> None:
    with session_scope(hostile) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
    fmap = build_map(
        shapes=shapes, values=None, indicator=INDEX, points=None, lang="vi", zone=ZONE,
        urls=None,
    )  # fmt: skip
    assert frame_args(fmap)["script"]  # ours pass, rendered once or twice
    assert frame_args(fmap)["script"]
    # folium's own marker puts its tooltip into text that branca compiles as a template;
    # so does a plain Element made of text.
    if element == "marker":
        folium.Marker([23.2, 105.3], tooltip="{{ 7*191 }}").add_to(fmap)
    else:
        fmap.get_root().header.add_child(Element("<style>/* {{ 7*191 }} */</style>"), name="x")  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="Marker" if element == "marker" else "Element 'x'"):
        frame_args(fmap)


# -- the pages (AppTest) ------------------------------------------------------------------


def run_page(page: str) -> AppTest:
    test = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    test.switch_page(page)
    test.query_params["code"] = DISTRICT
    test.run()
    assert not test.exception, [e.message for e in test.exception]
    return test


def _cells(test: AppTest) -> set[str]:
    return {
        str(v) for frame in test.dataframe for column in frame.value.columns
        for v in frame.value[column]
    }  # fmt: skip


def test_the_district_page_shows_hostile_names_as_typed(hostile: Engine) -> None:
    test = run_page("dashboard/pages/district.py")
    assert markdown_shown(test.title[0].value) == (DISTRICT_NAME, [])
    cells = _cells(test)
    assert set(PAYLOADS) <= cells  # agencies and points, in tables that show plain text


FILE_NAME = "[l](javascript:alert(1)) **x** :red[r] {{7*191}}"


@pytest.mark.usefixtures("editor_password")
def test_the_data_page_names_a_hostile_file_as_typed(hostile: Engine) -> None:
    test = run_page("dashboard/pages/data.py")
    test.text_input(key="editor_password").set_value(EDITOR_PASSWORD)
    test.get("form_submit_button")[0].click().run()
    # A spreadsheet that is not one, and a boundary file that is not one either.
    test.get("file_uploader")[0].set_value((f"{FILE_NAME}.xlsx", b"not a workbook", "x"))
    test.run()
    test.button(key="data_check").click().run()
    assert not test.exception
    (error,) = test.error
    text, tags = markdown_shown(error.value)
    assert text.startswith(f"Không đọc được tệp: cannot open {FILE_NAME}.xlsx as an Excel"), text
    assert tags == []
    test.get("file_uploader")[1].set_value((f"{FILE_NAME}.geojson", b"{", "x"))
    test.run()
    test.button(key="data_boundary_import").click().run()
    assert not test.exception
    (error,) = test.main.error
    text, tags = markdown_shown(error.value)
    assert f"{FILE_NAME}.geojson" in text and tags == [], (text, tags)


def test_the_inventory_and_network_pages_show_hostile_names_as_typed(hostile: Engine) -> None:
    inventory = run_page("dashboard/pages/inventory.py")
    assert set(PAYLOADS) <= _cells(inventory)  # make, model, operating system, agency
    network = run_page("dashboard/pages/network.py")
    assert {point_code(i) for i in range(len(PAYLOADS))} <= _cells(network)
    assert set(PAYLOADS) <= _cells(network)
    labels = network.selectbox(key="net_point").options
    assert {f"{point_code(i)} — {p}" for i, p in enumerate(PAYLOADS)} <= set(labels)


# -- the pages in Chromium ----------------------------------------------------------------


def _no_markup(seen: dict[str, Any] | None) -> str:
    """The text of a tooltip, popup or legend read in the browser, which must have made no
    element of the data (only the table and bold title of our own markup)."""
    assert seen is not None
    assert set(seen["elements"]) <= {"div", "span", "b", "table", "tbody", "tr", "th", "td"}
    assert "script" not in seen["elements"] and "img" not in seen["elements"]
    return str(seen["text"])


@pytest.mark.sqlite_only
@pytest.mark.usefixtures("browser_ready")
def test_chromium_shows_hostile_names_as_typed(hostile: Engine, tmp_path: Path) -> None:
    codes = [point_code(i) for i in range(len(PAYLOADS))]
    screenshot = tmp_path / "hostile-map.png"
    with network_namespace() as namespace:
        with app_server(
            database_url=get_settings().database_url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as url:
            seen = run_in(
                namespace,
                ["--url", url, "--at", "2020-12-31", "--points", ",".join(codes),
                 "--district", DISTRICT,
                 "--screenshot", str(screenshot),
                 "--screenshot-point", point_code(PAYLOADS.index(SSTI))],
            )  # fmt: skip
    assert seen["drawn"] == [11, len(PAYLOADS)], seen["drawn"]
    assert seen["dialogs"] == [], seen["dialogs"]  # no alert() ran
    assert seen["page_errors"] == [], seen["page_errors"]
    # Map: every point's tooltip and popup, the district's tooltip, the legend.
    for i, payload in enumerate(PAYLOADS):
        point = seen["points"][point_code(i)]
        assert _no_markup(point["tooltip"]).startswith(f"{payload} — "), point
        assert _no_markup(point["popup"]).startswith(payload), point
    assert _no_markup(seen["district"]["tooltip"]).startswith(DISTRICT_NAME), seen["district"]
    assert BOUNDARY_FILE in _no_markup(seen["legend"]), seen["legend"]
    # Every page renders for everyone, with nothing evaluated.
    views = {"map": seen["map"], **seen["pages"]}
    for name, view in views.items():
        assert view["exceptions"] == [], (name, view["exceptions"])
        for bad in EVALUATED:
            assert bad not in view["text"], (name, bad)
    assert not [bad for bad in EVALUATED if bad in seen["map_frame_text"]]
    # The district's heading and select box show its name as typed, nothing made of it.
    district = seen["pages"]["district"]
    assert district["h1"] == [DISTRICT_NAME], district["h1"]
    assert district["h1_made"] == [], district["h1_made"]
    assert DISTRICT_NAME in district["options"]
    # The network page's select box lists every point by code and name, as typed.
    options = seen["pages"]["network"]["options"]
    assert options == [f"{point_code(i)} — {p}" for i, p in enumerate(PAYLOADS)], options
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
