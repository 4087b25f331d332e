"""Every dashboard page renders on the demo database (Streamlit's headless AppTest): the
right widgets are there, numbers read the Vietnamese way, and the editor gate holds."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from inventory.db import session_scope
from inventory.lifecycle.in_service import in_service_on
from inventory.models import AdminUnit, Computer, ConnectionPoint, UnitLevel
from readiness.geometry import ensure_approximate_boundaries, level_feature_collection
from readiness.indicators import INDICATORS
from readiness.snapshots import take_snapshot
from tests.conftest import PROJECT_ROOT
from tests.dashboard_fixtures import (  # noqa: F401 (fixtures used by name)
    EDITOR_PASSWORD,
    add_probe_rounds,
    editor_password,
    no_editor_password,
    utc_now,
)

DISTRICT = "dashboard/pages/district.py"
PUBLISHED = "2020-12-31"  # the date of the province's published figures the demo reproduces
INVENTORY = "dashboard/pages/inventory.py"
NETWORK = "dashboard/pages/network.py"
DATA = "dashboard/pages/data.py"


@pytest.fixture
def map_demo(demo_engine: Engine) -> Engine:
    """The demo with its approximate boundaries, as `ictr demo` leaves it."""
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
    return demo_engine


def run_page(page: str | None = None, *, lang: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    if lang is not None:
        app.session_state["_lang"] = lang
    if page is not None:
        app.switch_page(page)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_map_page_shows_the_province_strip_and_ranked_districts(map_demo: Engine) -> None:
    app = run_page(at=PUBLISHED)
    assert app.title[0].value == "Bản đồ mức độ sẵn sàng — Tỉnh Hà Giang"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Huyện, thành phố"] == "11"
    assert metrics["Cơ quan, đơn vị"] == "226"
    with session_scope(map_demo) as session:
        in_use = session.exec(
            select(func.count()).select_from(Computer).where(in_service_on(date(2020, 12, 31)))
        ).one()
    # Vietnamese thousands separator: a dot.
    assert metrics["Máy tính đang dùng"] == f"{in_use:,}".replace(",", ".")
    # The demo reproduces the published 104.06 %: one decimal, decimal comma.
    assert metrics["Máy tính/CBCCVC"] == "104,1%"
    assert metrics["Điểm kết nối hoạt động"] == "0/73"
    assert app.selectbox(key="map_indicator").value == "index"
    assert app.radio(key="map_level").options == ["Huyện, thành phố", "Xã, phường, thị trấn"]
    assert app.toggle(key="map_points").value is True
    ranking = app.dataframe[0].value
    assert len(ranking) == 11
    assert list(ranking["Xếp hạng"]) == sorted(ranking["Xếp hạng"])
    assert any("mô phỏng" in w.value for w in app.sidebar.warning)


def test_map_page_counts_points_up(map_demo: Engine) -> None:
    expected = add_probe_rounds(map_demo, now=utc_now())
    app = run_page()
    ups = sum(1 for status in expected.values() if status == "up")
    assert {m.label: m.value for m in app.metric}["Điểm kết nối hoạt động"] == f"{ups}/73"


def test_map_page_by_commune_and_indicator(map_demo: Engine) -> None:
    app = run_page(at=PUBLISHED)
    app.radio(key="map_level").set_value("commune")
    app.selectbox(key="map_indicator").set_value("internet_share_pct").run()
    assert not app.exception
    ranking = app.dataframe[0].value
    with session_scope(map_demo) as session:
        districts = select(AdminUnit.code).where(AdminUnit.parent_code == "02")
        communes = session.exec(
            select(func.count())
            .select_from(AdminUnit)
            .where(AdminUnit.level == UnitLevel.commune)
            .where(col(AdminUnit.parent_code).in_(districts))
        ).one()
    assert len(ranking) == communes == 193
    assert "Tỷ lệ máy tính kết nối Internet" in ranking.columns


def test_map_page_link_chooses_level_and_indicator(map_demo: Engine) -> None:
    app = run_page(level="commune", indicator="median_rtt_7d_ms", at=PUBLISHED)
    assert app.radio(key="map_level").value == "commune"
    assert app.selectbox(key="map_indicator").value == "median_rtt_7d_ms"
    app.radio(key="map_level").set_value("district").run()
    assert app.radio(key="map_level").value == "district"  # the link chose only once


def test_choices_survive_the_language_switch_and_other_pages(map_demo: Engine) -> None:
    app = run_page(at=PUBLISHED)
    app.radio(key="map_level").set_value("commune")
    app.selectbox(key="map_indicator").set_value("loss_7d_pct").run()
    app.radio(key="lang").set_value("en").run()
    assert not app.exception and not app.main.warning  # no "value set twice" warning
    assert app.radio(key="map_level").value == "commune"
    assert app.selectbox(key="map_indicator").value == "loss_7d_pct"
    assert app.radio(key="map_level").options == ["Districts", "Communes"]
    app.switch_page(INVENTORY).run()
    app.text_input(key="inv_search").set_value("dell").run()
    app.switch_page("dashboard/pages/map.py").run()
    assert app.radio(key="map_level").value == "commune"
    app.switch_page(INVENTORY).run()
    assert app.text_input(key="inv_search").value == "dell"


def test_map_page_in_english_formats_numbers_the_english_way(map_demo: Engine) -> None:
    app = run_page(at=PUBLISHED)
    app.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Readiness map — Tỉnh Hà Giang"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Officials"] == "10,135"
    assert metrics["Computers/official"] == "104.1%"
    # The choice survives a change of page.
    app.switch_page(NETWORK).run()
    assert app.title[0].value == "Government data network"


def test_map_page_without_boundaries_says_so(demo_engine: Engine) -> None:
    app = run_page()
    assert any("Chưa có ranh giới" in w.value for w in app.warning)


def test_district_page_opens_the_district_of_the_link(map_demo: Engine) -> None:
    app = run_page(DISTRICT, code="026")
    assert any("Chưa lưu kỳ số liệu nào" in c.value for c in app.caption)
    assert app.title[0].value == "Huyện Đồng Văn"
    assert app.selectbox(key="district_code").value == "026"
    indicators, agencies, points = app.dataframe[:3]
    assert len(indicators.value) == 1 + len(INDICATORS)  # the index and every indicator
    assert indicators.value.iloc[0, 0] == "Chỉ số sẵn sàng tổng hợp (0–1)"
    assert (agencies.value["CBCCVC"] >= 0).all()
    assert len(agencies.value) > 5
    with session_scope(map_demo) as session:
        district_points = session.exec(
            select(func.count())
            .select_from(ConnectionPoint)
            .join(AdminUnit, AdminUnit.code == ConnectionPoint.unit_code)
            .where((AdminUnit.code == "026") | (AdminUnit.parent_code == "026"))
        ).one()
    assert len(points.value) == district_points
    rank = app.metric[0].value
    assert rank.endswith("/11")
    app.selectbox(key="district_code").set_value("024").run()
    assert app.title[0].value == "Thành phố Hà Giang"
    assert app.query_params["code"] == "024"


def test_district_page_draws_the_index_over_stored_periods(map_demo: Engine) -> None:
    # Before: computers by age, and the latency when the demo's rounds are under a week old.
    before = len(run_page(DISTRICT, code="026").get("vega_lite_chart"))
    with session_scope(map_demo) as session:
        for period, day in (("2023", date(2023, 12, 31)), ("2024", date(2024, 12, 31))):
            take_snapshot(session, period=period, at=day, levels=["district"])
    app = run_page(DISTRICT, code="026")
    assert not any("Chưa lưu kỳ số liệu nào" in c.value for c in app.caption)
    assert len(app.get("vega_lite_chart")) == before + 1  # and the index trend


def test_inventory_search_and_filters(map_demo: Engine) -> None:
    app = run_page(INVENTORY)
    table = app.dataframe[0].value
    with session_scope(map_demo) as session:
        total = session.exec(select(func.count()).select_from(Computer)).one()
        tag = session.exec(select(Computer.asset_tag).order_by(Computer.id).limit(1)).one()
    assert len(table) == total
    app.text_input(key="inv_search").set_value(tag.lower()).run()
    found = app.dataframe[0].value
    assert tag in set(found["Mã tài sản"])
    assert len(found) < total
    app.text_input(key="inv_search").set_value("")
    app.selectbox(key="inv_district").set_value("026")
    app.multiselect(key="inv_status").set_value(["broken"]).run()
    broken = app.dataframe[0].value
    assert set(broken["Tình trạng"]) == {"Hỏng"}
    assert set(broken["Huyện"]) == {"Huyện Đồng Văn"}
    assert app.caption[0].value.startswith(f"Hiển thị {len(broken)} / ")
    assert app.get("download_button")


def test_inventory_replacement_plan(map_demo: Engine) -> None:
    app = run_page(INVENTORY)
    assert app.number_input(key="plan_budget").value == 0
    # The computer table, the plan by year, the plan by district.
    uncapped = app.dataframe[1].value
    assert len(uncapped) == 5
    app.number_input(key="plan_budget").set_value(500_000_000).run()
    assert not app.exception
    capped = app.dataframe[1].value
    cost = next(c for c in capped.columns if c.startswith("Kinh phí"))
    assert (capped[cost] <= 500_000_000).all()
    downloads = app.get("download_button")
    assert len(downloads) == 2  # the computer table (CSV) and the plan (XLSX)
    # The workbook is written when asked for, not on every run of the page.
    from dashboard.replacement_plan import replacement_plan

    with session_scope(map_demo) as session:
        view = replacement_plan(session, start=2027, years=5, budget=None, district=None)
    workbook = openpyxl.load_workbook(io.BytesIO(view.xlsx()), read_only=True)
    assert len(workbook.sheetnames) >= 2


def test_network_page_status_board_worst_first(map_demo: Engine) -> None:
    expected = add_probe_rounds(map_demo, now=utc_now())
    app = run_page(NETWORK)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "Mất kết nối": "1",
        "Suy giảm": "1",
        "Chưa có dữ liệu": "70",
        "Hoạt động": "1",
    }
    board, incidents, availability, websites = (d.value for d in app.dataframe)
    # The demo's websites: none checked within the hour, so none has a status now.
    assert len(websites) == 90 and set(websites["Trạng thái"]) == {"Chưa có dữ liệu"}
    assert list(board["Trạng thái"][:3]) == ["Mất kết nối", "Suy giảm", "Chưa có dữ liệu"]
    assert list(board["Trạng thái"])[-1] == "Hoạt động"
    by_code = dict(zip(board["Mã"], board["Trạng thái"], strict=True))
    words = {"up": "Hoạt động", "down": "Mất kết nối", "degraded": "Suy giảm"}
    assert {code: by_code[code] for code in expected} == {
        code: words[status] for code, status in expected.items()
    }
    # The worst point is chosen first; its history feeds the chart.
    assert app.selectbox(key="net_point").value is not None
    assert app.radio(key="net_window").options == ["24 giờ", "7 ngày", "30 ngày"]
    assert len(incidents) == 1 and incidents["Có lại lúc"].iloc[0] == "—"
    by_code = availability.set_index("Mã")
    down = next(c for c, s in expected.items() if s == "down")
    up = next(c for c, s in expected.items() if s == "up")
    assert by_code.at[down, "Độ sẵn sàng 24 giờ (%)"] == 0
    assert by_code.at[up, "Độ sẵn sàng 24 giờ (%)"] == 100
    app.radio(key="net_window").set_value("7d").run()
    assert not app.exception
    # A link names the point whose chart to show.
    linked = run_page(NETWORK, point=up)
    assert (
        linked.selectbox(key="net_point")
        .format_func(linked.selectbox(key="net_point").value)
        .startswith(up)
    )


@pytest.mark.usefixtures("editor_password")
def test_data_page_is_closed_to_viewers(map_demo: Engine) -> None:
    app = run_page(DATA)
    assert any("đăng nhập biên tập" in w.value for w in app.warning)
    assert not app.get("file_uploader")
    assert not app.main.button  # no import, boundary or reset button


@pytest.mark.usefixtures("editor_password")
def test_wrong_password_reveals_nothing(map_demo: Engine) -> None:
    app = sign_in(run_page(DATA), "mật khẩu sai")
    assert [e.value for e in app.error] == ["Mật khẩu không đúng."]
    assert not app.get("file_uploader")
    assert "_editor" not in app.session_state


def sign_in(app: AppTest, password: str) -> AppTest:
    app.text_input(key="editor_password").set_value(password)
    submit = app.get("form_submit_button")
    submit[0].click().run()
    assert not app.exception
    return app


@pytest.mark.usefixtures("editor_password")
def test_right_password_opens_the_data_page(map_demo: Engine) -> None:
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    assert not app.error
    assert len(app.get("file_uploader")) == 2  # spreadsheets and boundaries
    assert app.selectbox(key="data_entity").options == [
        "Máy tính",
        "Cơ quan, đơn vị",
        "Điểm kết nối",
        "Dịch vụ công, hồ sơ TTHC (báo cáo kỳ)",
        "Chứng thư số",
        "Kế thừa cơ quan (sáp nhập, giải thể)",
        "Trang thông tin điện tử, cổng dịch vụ",
    ]
    assert app.button(key="data_check").disabled  # nothing uploaded yet
    assert any("Đang ở chế độ biên tập" in s.value for s in app.sidebar.success)
    app.button(key="editor_sign_out").click().run()
    assert not app.get("file_uploader")


@pytest.mark.usefixtures("no_editor_password")
def test_no_password_configured_means_nobody_edits(map_demo: Engine) -> None:
    app = run_page(DATA)
    assert not app.get("file_uploader")
    assert any("ICTR_EDITOR_PASSWORD_HASH" in c.value for c in app.sidebar.caption)
    assert not app.text_input  # no password field to guess at


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.usefixtures("editor_password")
def test_upload_with_a_bad_row_shows_the_report_and_writes_nothing(map_demo: Engine) -> None:
    from inventory.models import Agency

    with session_scope(map_demo) as session:
        before = session.exec(select(func.count()).select_from(Computer)).one()
        # A name only one agency has (the 2026 demo repeats some, e.g. "Văn phòng Tỉnh ủy"
        # in Hà Giang and Tuyên Quang, which the importer refuses as ambiguous).
        agency_name = session.exec(
            select(Agency.name).group_by(Agency.name).having(func.count() == 1).limit(1)
        ).one()
    good = ["NEW-0001", "desktop", 2022, "in_use", agency_name]
    bad = ["NEW-0002", "desktop", 3022, "in_use", agency_name]
    header = ["Mã tài sản", "Loại", "Năm mua", "Tình trạng", "Cơ quan"]
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    app.get("file_uploader")[0].set_value(
        ("may-tinh.xlsx", _xlsx([header, good, bad]), "application/octet-stream")
    )
    app.run()
    app.button(key="data_import").click().run()
    assert not app.exception
    assert any("1 dòng lỗi" in e.value for e in app.error)
    report = app.dataframe[0].value
    assert list(report["Dòng"]) == [3]
    assert report["Cột"].iloc[0] == "Năm mua"
    assert report["Giá trị"].iloc[0] == "3022"
    with session_scope(map_demo) as session:
        assert session.exec(select(func.count()).select_from(Computer)).one() == before

    app.get("file_uploader")[0].set_value(
        ("may-tinh.xlsx", _xlsx([header, good]), "application/octet-stream")
    )
    app.run()
    app.button(key="data_check").click().run()
    assert any("Tệp hợp lệ: 1 mới" in s.value for s in app.success)
    with session_scope(map_demo) as session:
        assert session.exec(select(func.count()).select_from(Computer)).one() == before
    app.button(key="data_import").click().run()
    assert any("Đã nhập: 1 mới" in s.value for s in app.success)
    with session_scope(map_demo) as session:
        assert session.exec(select(func.count()).select_from(Computer)).one() == before + 1


@pytest.mark.usefixtures("editor_password")
def test_boundary_upload_replaces_the_approximate_shapes(map_demo: Engine) -> None:
    with session_scope(map_demo) as session:
        shapes = level_feature_collection(session, "district", province_code="02")
    for feature in shapes["features"]:
        feature["properties"] = {"ma_huyen": feature["properties"]["code"]}
    data = json.dumps({"type": "FeatureCollection", "features": shapes["features"]}).encode()
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    app.get("file_uploader")[1].set_value(("ranh-gioi-huyen.geojson", data, "application/json"))
    app.run()
    app.button(key="data_boundary_import").click().run()
    assert not app.exception
    assert [s.value for s in app.main.success] == ["Đã lưu ranh giới của 11 đơn vị."]
    with session_scope(map_demo) as session:
        stored = level_feature_collection(session, "district", province_code="02")
    assert not stored["approximate"]
    assert {f["properties"]["source"] for f in stored["features"]} == {"ranh-gioi-huyen.geojson"}


@pytest.mark.usefixtures("editor_password")
def test_demo_reset_puts_the_demo_back(map_demo: Engine) -> None:
    with session_scope(map_demo) as session:
        before = session.exec(select(func.count()).select_from(Computer)).one()
        computer = session.exec(select(Computer).limit(1)).one()
        session.delete(computer)
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    assert app.button(key="data_demo_reset").disabled
    app.checkbox(key="data_demo_confirm").check().run()
    app.button(key="data_demo_reset").click().run()
    assert not app.exception
    assert any("Đã nạp lại" in s.value for s in app.success)
    with session_scope(map_demo) as session:
        assert session.exec(select(func.count()).select_from(Computer)).one() == before
        assert session.exec(select(func.count()).select_from(ConnectionPoint)).one() == 73
