"""In Chromium: a viewer sees no edit control on the Data page; an editor signs in with an
account through the sidebar and gets the import controls (the boundary and demo buttons stay
an admin's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.i18n import tr
from inventory import accounts
from inventory.actor import Role
from inventory.admin_units import load_units
from inventory.db import get_engine, session_scope
from inventory.migrate import upgrade
from tests.dashboard_browser import app_server, free_port, network_namespace, run_driver
from tests.test_dashboard_e2e import browser_ready  # noqa: F401 (fixture used by name)

PASSWORD = "mật khẩu của Lan 2026"


@pytest.mark.usefixtures("browser_ready")
def test_a_viewer_sees_no_edit_control_and_an_editor_signs_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.sqlite'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        accounts.add_user(session, username="lan", role=Role.editor, scope="026", password=PASSWORD)
    with network_namespace() as namespace:
        with app_server(
            database_url=url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as app_url:
            seen = run_driver(namespace, [app_url, "lan", PASSWORD], module="tests.users_browser")
    assert seen["viewer_controls"] == []
    assert any("đăng nhập biên tập" in w for w in seen["viewer_warning"])
    assert seen["greeting"] == ["Đã đăng nhập: lan — biên tập, đơn vị 026."]
    controls = seen["editor_controls"]
    assert controls.count("uploader") == 2, controls  # spreadsheets, boundaries
    assert {f"button: {tr('check', 'vi')}", f"button: {tr('do_import', 'vi')}"} <= set(controls)
    assert seen["exceptions"] == []
