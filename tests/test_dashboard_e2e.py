"""The dashboard in a real browser, with no network but loopback.

The app (`ictr up`'s Streamlit command) and Debian's Chromium, driven by Playwright, run
inside a network namespace this test creates, whose only interface is `lo`: a script or
style sheet fetched from a CDN would fail, and is counted. On the demo the map must draw
the 11 districts and the 73 points, a district's tooltip must name it, a click on it must
open its page, and a point named `<script>alert(1)</script>` must show as text.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from inventory.db import get_engine, session_scope
from inventory.demo import load_demo
from inventory.migrate import upgrade
from inventory.models import AdminUnit, ConnectionPoint, UnitLevel
from readiness.geometry import ensure_approximate_boundaries
from tests.conftest import skip_or_fail
from tests.dashboard_browser import (
    CHROMIUM,
    app_server,
    free_port,
    network_namespace,
    run_driver,
)
from tests.dashboard_fixtures import add_probe_rounds, utc_now

XSS = "<script>alert(1)</script>"


def build_demo(path: Path) -> tuple[str, str, list[str]]:
    """A SQLite demo as `ictr demo` makes it, plus a few probe rounds and one point with a
    hostile name. Returns the URL, that point's code and the district names."""
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session)
        ensure_approximate_boundaries(session, "02")
    add_probe_rounds(engine, now=utc_now())
    with session_scope(engine) as session:
        point = session.exec(select(ConnectionPoint).order_by(ConnectionPoint.code)).all()[-1]  # type: ignore[arg-type]
        point.name = XSS
        session.add(point)
        code = point.code
        names = list(
            session.exec(select(AdminUnit.name).where(AdminUnit.level == UnitLevel.district))
        )
    engine.dispose()
    return url, code, names


@pytest.fixture
def browser_ready(require_root: None) -> None:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    if shutil.which("ip") is None:
        skip_or_fail("the ip command is missing (apt-get install iproute2)")


@pytest.mark.usefixtures("browser_ready")
def test_map_in_chromium_without_network(tmp_path: Path) -> None:
    url, xss_code, district_names = build_demo(tmp_path / "demo.sqlite")
    screenshot = tmp_path / "dashboard.png"
    with network_namespace() as namespace:
        with app_server(
            database_url=url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as app_url:
            result = run_driver(
                namespace,
                [
                    "--url", f"{app_url}?at=2020-12-31", "--units", "11", "--points", "73",
                    "--hover", "--click", "--xss-code", xss_code, "--ranking",
                    "--screenshot", str(screenshot),
                ],
            )  # fmt: skip
    (load,) = result["loads"]
    assert result["exceptions"] == []
    assert (load["units"], load["points"]) == (11, 73), result
    assert result["requests"], "the browser made no request at all"
    assert result["failed"] == []
    assert result["non_loopback"] == []
    assert result["page_errors"] == []
    assert result["dialogs"] == []  # no alert(1) ran
    # A district's tooltip names it; clicking it opens its page.
    assert result["unit"] is not None, result
    assert result["unit"]["name"] in district_names
    assert result["tooltip"].startswith(result["unit"]["name"]), result
    assert f"district?code={result['unit']['code']}" in result["after_click_url"], result
    assert result["unit"]["name"] in result["after_click_heading"], result
    assert "district" not in result["after_back_url"], result
    # The hostile name is text in the popup, not an element.
    popup = result["popup"]
    assert popup["text"].startswith(XSS), popup
    assert "SCRIPT" not in popup["elements"], popup
    # The ranking opens on demand: the 11 districts and a header row.
    assert result["ranking"] == {"rows": 12}, result["ranking"]
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
