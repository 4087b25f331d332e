"""The dashboard in both administrative eras (AppTest on the demo): it opens on the latest
date with data, today's Tuyên Quang by commune; a 2020 date shows Hà Giang by district; the
compare mode shows each 2025 commune's change; the district page stays in 2020's structure."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from dashboard.indicator_choice import indicator_values
from dashboard.queries.readiness import province_readiness
from inventory.db import session_scope
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel
from readiness.geometry import ensure_approximate_boundaries
from tests.conftest import PROJECT_ROOT
from tests.dashboard_fixtures import no_editor_password  # noqa: F401 (fixture used by name)

DISTRICT = "dashboard/pages/district.py"
DEMO_LAST_DAY = date(2026, 11, 30)  # the demo's last probe round, 23:55 in Hà Nội time
PUBLISHED = date(2020, 12, 31)


@pytest.fixture
def map_demo(demo_engine: Engine) -> Engine:
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
    return demo_engine


def run_page(page: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    if page is not None:
        app.switch_page(page)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def former_hg_communes(engine: Engine) -> tuple[set[str], set[str]]:
    """Today's communes of Tuyên Quang: those on former Hà Giang land, and the others."""
    with session_scope(engine) as session:
        districts = select(AdminUnit.code).where(AdminUnit.parent_code == "02")
        old = select(AdminUnit.code).where(col(AdminUnit.parent_code).in_(districts))
        hg = set(
            session.exec(
                select(UnitCorrespondence.new_code).where(col(UnitCorrespondence.old_code).in_(old))
            )
        )
        today = set(
            session.exec(
                select(AdminUnit.code).where(
                    AdminUnit.level == UnitLevel.commune, AdminUnit.parent_code == "08@2025"
                )
            )
        )
    return hg, today - hg


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


@pytest.mark.usefixtures("no_editor_password")
def test_opens_on_todays_tuyen_quang_by_commune(map_demo: Engine) -> None:
    app = run_page()
    assert app.date_input(key="map_date").value == DEMO_LAST_DAY
    assert app.title[0].value == "Bản đồ mức độ sẵn sàng — Tỉnh Tuyên Quang"
    assert "Chính quyền địa phương 2 cấp" in app.caption[0].value
    # No district level to choose in the two-level structure.
    assert not [r for r in app.radio if r.key == "map_level"]
    assert metrics(app)["Xã, phường"] == "124"
    ranking = app.dataframe[0].value
    hg, others = former_hg_communes(map_demo)
    assert (len(hg), len(others)) == (73, 51)
    assert len(ranking) == 124
    # The 51 communes of former Tuyên Quang have no demo data, and the page says so.
    assert ranking["Chỉ số sẵn sàng tổng hợp (0–1)"].notna().sum() == 73
    assert any(c.value.startswith("51 đơn vị chưa có dữ liệu") for c in app.caption)
    # In English, the same province.
    app.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Readiness map — Tỉnh Tuyên Quang"
    assert "Communes" in metrics(app)


@pytest.mark.usefixtures("no_editor_password")
def test_back_to_2020_shows_ha_giang_by_district(map_demo: Engine) -> None:
    app = run_page()
    app.date_input(key="map_date").set_value(PUBLISHED).run()
    assert not app.exception
    assert app.title[0].value == "Bản đồ mức độ sẵn sàng — Tỉnh Hà Giang"
    assert "Cấu trúc 3 cấp" in app.caption[0].value
    assert app.radio(key="map_level").value == "district"
    shown = metrics(app)
    assert shown["Huyện, thành phố"] == "11"
    assert shown["Cơ quan, đơn vị"] == "226"  # the 2020 agencies, before any succession
    assert shown["Máy tính/CBCCVC"] == "104,1%"  # the province's published 104.06 %
    ranking = app.dataframe[0].value
    assert len(ranking) == 11
    assert not any("chưa có dữ liệu" in c.value for c in app.caption)
    # And forward again: the level chosen for 2020 does not survive into 2025's structure.
    app.radio(key="map_level").set_value("commune").run()
    assert len(app.dataframe[0].value) == 193  # Hà Giang's 2020 communes
    app.date_input(key="map_date").set_value(date(2026, 6, 1)).run()
    assert not app.exception
    assert len(app.dataframe[0].value) == 124
    app.date_input(key="map_date").set_value(PUBLISHED).run()
    assert app.radio(key="map_level").value == "commune"  # the 2020 choice was kept


@pytest.mark.usefixtures("no_editor_password")
def test_compare_mode_shows_each_communes_change(map_demo: Engine) -> None:
    app = run_page(at="2026-11-30", **{"from": "2020-12-31"})
    assert app.toggle(key="map_compare").value is True
    assert app.date_input(key="map_from").value == PUBLISHED
    label = "Thay đổi: Chỉ số sẵn sàng tổng hợp (0–1)"
    ranking = app.dataframe[0].value.set_index("Tên")
    assert len(ranking) == 124
    captions = [c.value for c in app.caption]
    assert any(c.startswith("Thay đổi từ 31/12/2020 đến 30/11/2026") for c in captions)
    # Five communes of the merged province were divided; three of Hà Giang's hold records.
    assert any(c.startswith("3 xã cũ bị chia") for c in captions)
    # Today's value on its own, from the figures of that day alone.
    with session_scope(map_demo) as session:
        today = indicator_values(
            province_readiness(session, level="commune", at=DEMO_LAST_DAY), "index"
        ).set_index("name")
    hg, _ = former_hg_communes(map_demo)
    changed = ranking[label].dropna()
    assert len(changed) == len(hg) == 73
    for name, change in changed.items():
        # 2020's index of the same territory is below today's wherever the demo has data:
        # computers bought by plan, services grown.
        before = today.at[name, "value"] - change
        assert 0 <= before < today.at[name, "value"], name
    # Without the 2020 date, the map is today's again.
    app.toggle(key="map_compare").set_value(False).run()
    assert "Chỉ số sẵn sàng tổng hợp (0–1)" in app.dataframe[0].value.columns


@pytest.mark.usefixtures("no_editor_password")
def test_compare_needs_an_earlier_date(map_demo: Engine) -> None:
    app = run_page(at="2020-12-31", **{"from": "2026-11-30"})
    assert any("phải trước" in w.value for w in app.warning)
    assert len(app.dataframe[0].value) == 11  # the map of the date alone


@pytest.mark.usefixtures("no_editor_password")
def test_district_page_stays_in_the_2020_structure(map_demo: Engine) -> None:
    # From today's map: the last day districts existed.
    app = run_page(DISTRICT, code="026")
    assert app.date_input(key="district_date").value == date(2025, 6, 30)
    assert app.title[0].value == "Huyện Đồng Văn"
    assert app.metric[0].value.endswith("/11")
    # From the 2020 map: its date.
    app = run_page(at="2020-12-31")
    app.switch_page(DISTRICT).run()
    assert app.date_input(key="district_date").value == PUBLISHED
    figures_2020 = app.dataframe[0].value.set_index("Chỉ tiêu")["Giá trị"]
    app.date_input(key="district_date").set_value(date(2025, 6, 30)).run()
    figures_2025 = app.dataframe[0].value.set_index("Chỉ tiêu")["Giá trị"]
    # The plan's purchases of 2021-2025 replaced old machines: same count, younger.
    young = "Tỷ lệ máy tính trong niên hạn sử dụng"
    assert figures_2020[young] != figures_2025[young]
