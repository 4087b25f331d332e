"""In Chromium: on a computer's detail view a viewer sees no edit control; an editor of its
district signs in, changes its OS, and sees the change, by her, in the computer's history.
The screenshot is kept beside the test's files (record-edit.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import accounts
from inventory.actor import Role
from inventory.admin_units import load_units
from inventory.db import get_engine, session_scope
from inventory.migrate import upgrade
from inventory.models import Agency, Computer
from tests.dashboard_browser import app_server, free_port, network_namespace, run_driver
from tests.import_fixtures import AGENCIES
from tests.test_dashboard_e2e import browser_ready  # noqa: F401 (fixture used by name)

PASSWORD = "mật khẩu của Lan 2026"


@pytest.mark.usefixtures("browser_ready")
def test_a_viewer_sees_no_edit_control_and_an_editor_edits_a_computer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'edits.sqlite'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        for agency in AGENCIES:
            session.add(Agency(**agency))
        session.flush()
        lung_cu = next(a for a in session.query(Agency) if a.code == "X00715")
        session.add(Computer(asset_tag="LC-01", agency_id=lung_cu.id, os="Windows 10"))
        accounts.add_user(session, username="lan", role=Role.editor, scope="026", password=PASSWORD)
    shot = tmp_path / "record-edit.png"
    with network_namespace() as namespace:
        with app_server(
            database_url=url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as app_url:
            seen = run_driver(
                namespace,
                [app_url, "lan", PASSWORD, "LC-01", "Windows 11", str(shot)],
                module="tests.record_edits_browser",
            )
    assert seen["exceptions"] == []
    assert seen["viewer_controls"] == 0
    assert seen["editor_controls"] >= 4, seen  # the edit and retire forms and their inputs
    assert seen["os_before"] == "Windows 10"
    assert seen["saved"].startswith("Đã lưu (lượt thay đổi số 1;"), seen["saved"]
    history = " ".join(seen["history"])
    assert "edit computer LC-01" in history and "lan" in history, seen["history"]
    assert "os: Windows 10 → Windows 11" in history
    assert shot.stat().st_size > 10_000
    with session_scope(engine) as session:
        assert session.query(Computer).one().os == "Windows 11"
