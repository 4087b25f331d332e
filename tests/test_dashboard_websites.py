"""Websites on the dashboard: the network page's table (Streamlit's AppTest) and the map's
websites layer (built, and drawn in Chromium), from checks made a few minutes ago."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from inventory.db import session_scope
from inventory.models import (
    AdminUnit,
    Agency,
    AgencyKind,
    UnitLevel,
    Website,
    WebsiteCheck,
    WebsiteKind,
)
from tests.conftest import PROJECT_ROOT, add_province

NETWORK = "dashboard/pages/network.py"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# A name that would become markup, or a template expression, were it not escaped.
HOSTILE = "UBND xã <b>Lũng Cú</b> {{ 7*191 }}"


@pytest.fixture
def websites(engine: Engine) -> dict[str, int]:
    """Four websites in two units, checked by the default agent up to a few minutes ago:
    up, failing (expired certificate), down, never checked. Returns their ids by name."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        add_province(session)
        session.add(
            AdminUnit(
                code="026",
                name="Huyện Đồng Văn",
                short_name="Đồng Văn",
                unit_type="Huyện",
                level=UnitLevel.district,
                parent_code="02",
            )
        )
        session.flush()
        session.add(
            AdminUnit(
                code="00712",
                name="Xã Lũng Cú",
                short_name="Lũng Cú",
                unit_type="Xã",
                level=UnitLevel.commune,
                parent_code="026",
            )
        )
        session.flush()
        province = Agency(
            name="Sở Khoa học và Công nghệ", kind=AgencyKind.provincial, unit_code="02"
        )
        commune = Agency(name=HOSTILE, kind=AgencyKind.commune_committee, unit_code="00712")
        session.add_all([province, commune])
        session.flush()
        sites = {
            "up": Website(agency_id=province.id, url="https://skhcn.hagiang.gov.vn/"),
            "failing": Website(
                agency_id=commune.id,
                url="https://lungcu.hagiang.gov.vn/",
                kind=WebsiteKind.commune_site,
            ),
            "down": Website(
                agency_id=province.id,
                url="http://dichvucong.hagiang.gov.vn/",
                kind=WebsiteKind.service_portal,
            ),
            "never": Website(
                agency_id=commune.id, url="https://cu.lungcu.gov.vn/", kind=WebsiteKind.commune_site
            ),
        }
        session.add_all(sites.values())
        session.flush()
        tls = dict(tls_version="TLSv1.3", cert_trusted=True, cert_valid_name=True)

        def check(site: str, minutes_ago: float, **fields) -> WebsiteCheck:
            return WebsiteCheck(
                website_id=sites[site].id,
                checked_at=now - timedelta(minutes=minutes_ago),
                **fields,
            )

        session.add_all(
            [
                # Up now, down two days ago, up ten days ago: 7 days 1/2, 30 days 2/3.
                check(
                    "up",
                    10,
                    up=True,
                    status_code=200,
                    cert_not_after=now + timedelta(days=100, hours=1),
                    last_modified=datetime(2026, 11, 20, 20, 0, tzinfo=UTC),  # 21/11 in Hà Nội
                    **tls,
                ),
                check("up", 2 * 24 * 60, up=False, error="timed out"),
                check("up", 10 * 24 * 60, up=True, status_code=200),
                # Answers with a certificate that expired two days ago.
                check(
                    "failing",
                    5,
                    up=True,
                    status_code=200,
                    cert_not_after=now - timedelta(days=2, hours=1),
                    page_date=date(2024, 5, 1),
                    **tls,
                ),
                check("down", 20, up=False, status_code=503, error="HTTP 503"),
            ]
        )
        session.flush()
        return {name: site.id for name, site in sites.items()}


def run_network(lang: str | None = None) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    if lang is not None:
        app.session_state["_lang"] = lang
    app.switch_page(NETWORK)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_network_page_lists_websites_worst_first(websites: dict[str, int]) -> None:
    app = run_network()
    assert [s.value for s in app.subheader] == ["Trang thông tin điện tử, cổng dịch vụ công"]
    # No connection point: the page says so through the websites alone.
    assert len(app.dataframe) == 1
    table = app.dataframe[0].value
    assert list(table.columns) == [
        "Trạng thái", "Cơ quan", "Địa chỉ trang", "Loại trang", "Mã HTTP",
        "Chứng chỉ số còn (ngày)", "Cập nhật lần cuối", "Độ sẵn sàng 7 ngày (%)",
        "Độ sẵn sàng 30 ngày (%)", "Kiểm tra lần cuối",
    ]  # fmt: skip
    rows = table.set_index("Địa chỉ trang")
    assert list(rows.index) == [
        "http://dichvucong.hagiang.gov.vn/",  # down
        "https://lungcu.hagiang.gov.vn/",  # failing
        "https://cu.lungcu.gov.vn/",  # never checked
        "https://skhcn.hagiang.gov.vn/",  # up
    ]
    assert list(rows["Trạng thái"]) == [
        "Mất kết nối", "Chứng chỉ số không hợp lệ", "Chưa có dữ liệu", "Hoạt động",
    ]  # fmt: skip
    up, failing = (
        rows.loc["https://skhcn.hagiang.gov.vn/"],
        rows.loc["https://lungcu.hagiang.gov.vn/"],
    )
    assert up["Cơ quan"] == "Sở Khoa học và Công nghệ"
    assert up["Loại trang"] == "Trang TTĐT cơ quan"
    assert up["Mã HTTP"] == 200
    assert up["Chứng chỉ số còn (ngày)"] == 100
    assert up["Cập nhật lần cuối"] == "21/11/2026"  # Last-Modified, in Hà Nội time
    assert up["Độ sẵn sàng 7 ngày (%)"] == pytest.approx(50.0)
    assert up["Độ sẵn sàng 30 ngày (%)"] == pytest.approx(200 / 3)
    assert failing["Cơ quan"] == HOSTILE  # a name shown as typed
    assert failing["Loại trang"] == "Trang TTĐT cấp xã"
    assert failing["Chứng chỉ số còn (ngày)"] == -2  # expired two days ago
    assert failing["Cập nhật lần cuối"] == "01/05/2024"  # the date written in the page
    down = rows.loc["http://dichvucong.hagiang.gov.vn/"]
    assert down["Mã HTTP"] == 503 and down["Độ sẵn sàng 7 ngày (%)"] == 0
    assert down["Loại trang"] == "Cổng dịch vụ công, một cửa điện tử"
    never = rows.loc["https://cu.lungcu.gov.vn/"]
    assert never["Kiểm tra lần cuối"] == "chưa kiểm tra"
    assert never["Cập nhật lần cuối"] == "không rõ"


def test_network_page_websites_in_english(websites: dict[str, int]) -> None:
    table = run_network("en").dataframe[0].value.set_index("Address")
    assert table.at["https://lungcu.hagiang.gov.vn/", "Status"] == "Certificate refused"
    assert table.at["https://skhcn.hagiang.gov.vn/", "Last updated"] == "2026-11-21"
    assert table.at["https://skhcn.hagiang.gov.vn/", "Certificate days left"] == 100


def test_network_page_without_websites_says_so(engine: Engine) -> None:
    app = run_network()
    assert [i.value for i in app.info] == ["Chưa có dữ liệu."]
    assert not app.dataframe
