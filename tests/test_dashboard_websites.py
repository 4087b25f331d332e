"""Websites on the dashboard: the network page's table (Streamlit's AppTest) and the map's
websites layer (built, and drawn in Chromium), from checks made a few minutes ago."""

from __future__ import annotations

import importlib.util
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select
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
from inventory.settings import get_settings
from readiness.geometry import ensure_approximate_boundaries
from tests.conftest import PROJECT_ROOT, add_province, skip_or_fail
from tests.dashboard_browser import (
    CHROMIUM,
    app_server,
    free_port,
    network_namespace,
    run_driver,
)

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


@pytest.fixture
def browser_ready(require_root: None) -> None:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    if shutil.which("ip") is None:
        skip_or_fail("the ip command is missing (apt-get install iproute2)")


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


# -- the map's websites layer, in Chromium -------------------------------------------------


# The dashboard runs inside a network namespace with nothing but loopback, which cannot reach
# the host's PostgreSQL: this browser test is SQLite's (the page's data is tested on both).
@pytest.mark.sqlite_only
@pytest.mark.usefixtures("browser_ready")
def test_map_draws_every_website_by_status(demo_engine: Engine, tmp_path: Path) -> None:
    """The demo's 90 websites (none checked within the hour: no data) and one checked a few
    minutes ago with an expired certificate, whose agency has a hostile name."""
    now = datetime.now(UTC)
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
        agency = Agency(name=HOSTILE, kind=AgencyKind.commune_committee, unit_code="00712")
        session.add(agency)
        session.flush()
        site = Website(
            agency_id=agency.id, url="https://lungcu.example/", kind=WebsiteKind.commune_site
        )
        session.add(site)
        session.flush()
        session.add(
            WebsiteCheck(
                website_id=site.id,
                checked_at=now - timedelta(minutes=5),
                up=True,
                status_code=200,
                cert_trusted=True,
                cert_valid_name=True,
                cert_not_after=now - timedelta(days=2, hours=1),
                page_date=date(2024, 5, 1),
            )
        )
        session.flush()
        site_id = str(site.id)
        demo_sites = session.exec(select(func.count()).select_from(Website)).one() - 1
    with network_namespace() as namespace:
        with app_server(
            database_url=get_settings().database_url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as url:
            seen = run_driver(
                namespace,
                # The map opens on the latest day with data: today's 124 communes.
                ["--url", url, "--units", "124", "--points", "73",
                 "--websites", str(demo_sites + 1), "--website", site_id],
                module="tests.websites_browser",
            )  # fmt: skip
    assert demo_sites == 90
    assert seen["drawn"] == [124, 73], seen["drawn"]
    assert seen["dialogs"] == [] and seen["page_errors"] == [], seen
    statuses = sorted(
        name.removeprefix("ictr-status-")
        for classes in seen["website_classes"]
        for name in classes.split()
        if name.startswith("ictr-status-")
    )
    assert statuses == ["failing"] + ["no_data"] * demo_sites
    website = seen["website"]
    # The hostile name is text: no element made of it, no template evaluated.
    assert website["tooltip"]["text"] == f"{HOSTILE} — Chứng chỉ số không hợp lệ"
    assert set(website["popup"]["elements"]) <= {"div", "b", "table", "tbody", "tr", "th", "td"}
    popup = website["popup"]["text"]
    assert popup.startswith(f"{HOSTILE} (Trang TTĐT cấp xã)"), popup
    for label, value in [
        ("Trạng thái", "Chứng chỉ số không hợp lệ"),
        ("Trang web", "https://lungcu.example/"),
        ("Mã HTTP", "200"),
        ("Chứng chỉ số còn (ngày)", "-2"),
        ("Cập nhật lần cuối", "01/05/2024"),
        ("Độ sẵn sàng 7 ngày", "100,0%"),
    ]:
        assert f"{label}\t{value}" in popup, (label, popup)
    assert "1337" not in popup
    legend = seen["legend"]["text"]
    assert "Trang thông tin điện tử" in legend and "Chứng chỉ số không hợp lệ" in legend
