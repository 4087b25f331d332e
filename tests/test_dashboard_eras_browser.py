"""The map of both eras in Chromium, with no network but loopback (as test_dashboard_e2e):
Hà Giang's 11 districts at 2020-12-31, today's 124 communes of Tuyên Quang on opening (the
51 without demo data in grey, saying so), and the compare mode's change per commune."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.colour_scale import CHANGE_PALETTE, NO_DATA_COLOUR
from inventory.db import get_engine, session_scope
from inventory.demo import load_demo
from inventory.migrate import upgrade
from readiness.geometry import ensure_approximate_boundaries
from tests.dashboard_browser import app_server, free_port, network_namespace, run_driver
from tests.test_dashboard_e2e import browser_ready  # noqa: F401 (fixture used by name)
from tests.test_dashboard_eras import former_hg_communes

SHOTS = Path("/tmp")


def build_demo(path: Path) -> tuple[str, str, str]:
    """`ictr demo`'s database; a commune of former Hà Giang and one of former Tuyên Quang."""
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        ensure_approximate_boundaries(session, "02")
    hg, others = former_hg_communes(engine)
    engine.dispose()
    return url, sorted(hg)[0], sorted(others)[0]


@pytest.mark.usefixtures("browser_ready")
def test_the_map_of_both_eras_in_chromium(tmp_path: Path) -> None:
    url, with_data, without_data = build_demo(tmp_path / "demo.sqlite")
    views = {
        "2020": ("?at=2020-12-31", 11),
        "today": ("", 124),
        "compare": ("?from=2020-12-31", 124),
    }
    results = {}
    with network_namespace() as namespace:
        with app_server(
            database_url=url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as app_url:
            for name, (query, units) in views.items():
                results[name] = run_driver(
                    namespace,
                    [
                        "--url", f"{app_url}{query}", "--units", str(units), "--points", "73",
                        "--unit-info", f"{with_data},{without_data}",
                        "--screenshot", str(SHOTS / f"ictr-eras-{name}.png"),
                    ],
                )  # fmt: skip
    for name, result in results.items():
        (load,) = result["loads"]
        assert (load["units"], load["points"]) == (views[name][1], 73), (name, load)
        assert result["exceptions"] == [], name
        assert result["failed"] == [] and result["non_loopback"] == [], name
        assert result["page_errors"] == [], name
    # 2020: Hà Giang by district, every district with data.
    old = results["2020"]
    assert old["headings"][0] == "Bản đồ mức độ sẵn sàng — Tỉnh Hà Giang"
    assert old["map"]["units"] == {}  # no 2025 commune on a 2020 map
    assert "chưa có dữ liệu" not in old["map"]["legend"]
    # Today: Tuyên Quang by commune; former Tuyên Quang's communes grey, and said so.
    today = results["today"]
    assert today["headings"][0] == "Bản đồ mức độ sẵn sàng — Tỉnh Tuyên Quang"
    drawn = today["map"]["units"]
    assert drawn[without_data]["fill"] == NO_DATA_COLOUR
    assert "Chưa có dữ liệu" in drawn[without_data]["tooltip"]
    assert drawn[with_data]["fill"] != NO_DATA_COLOUR
    assert "Chưa có dữ liệu" not in drawn[with_data]["tooltip"]
    assert "51 đơn vị chưa có dữ liệu (màu xám) / no data" in today["map"]["legend"]
    # Compare: the change since 2020, both dates in the tooltip, a diverging colour.
    compared = results["compare"]["map"]
    assert compared["legend"].startswith("Thay đổi: Chỉ số sẵn sàng tổng hợp (0–1)")
    tip = compared["units"][with_data]["tooltip"]
    assert "31/12/2020" in tip and "30/11/2026" in tip, tip
    assert compared["units"][with_data]["fill"] in CHANGE_PALETTE
    assert compared["units"][without_data]["fill"] == NO_DATA_COLOUR
    for name in views:
        assert (SHOTS / f"ictr-eras-{name}.png").stat().st_size > 10_000
