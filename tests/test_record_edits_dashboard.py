"""The record-edit forms on the dashboard (AppTest): an editor edits and retires a computer of
her district on its detail view and sees the change in its history; a viewer and a computer
outside her scope get no form; two sessions saving the same computer (the second refused,
the first kept); an agency's head-counts and a new point from the Data page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from inventory import accounts
from inventory.actor import Role
from inventory.db import session_scope
from inventory.models import Agency, ConnectionPoint
from tests.import_fixtures import hg_engine_fixture  # noqa: F401 (the hg_engine fixture)
from tests.test_app import DATA, INVENTORY, run_page
from tests.test_audit_dashboard import frame_with
from tests.test_record_edits import ictr, machines, stored  # noqa: F401 (fixture by name)

PASSWORD = "mật khẩu của Lan 2026"


@pytest.fixture
def lan(machines: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:  # noqa: F811
    """Đồng Văn's editor, an account."""
    monkeypatch.setattr("dashboard.page_setup.FAILED_SIGN_IN_DELAY_S", 0.0)
    with session_scope(machines) as session:
        accounts.add_user(session, username="lan", role=Role.editor, scope="026", password=PASSWORD)
    return machines


def signed_in(page: str) -> AppTest:
    app = run_page(page)
    app.text_input(key="sign_in_username").set_value("lan")
    app.text_input(key="editor_password").set_value(PASSWORD)
    app.get("form_submit_button")[0].click().run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def submit(app: AppTest, key: str) -> AppTest:
    [button] = [b for b in app.get("form_submit_button") if b.proto.id.endswith(key)]
    button.click().run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def errors(app: AppTest) -> list[str]:
    """The errors shown, as read: their punctuation is escaped from Markdown (plain)."""
    return [e.value.replace("\\", "") for e in app.error]


def open_computer(app: AppTest, tag: str) -> AppTest:
    app.selectbox(key="inv_detail").set_value(tag).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_an_editor_edits_and_retires_a_computer_and_sees_its_history(lan: Engine) -> None:
    app = open_computer(signed_in(INVENTORY), "LC-01")
    assert app.text_input(key="rec_computer_os").value == "Windows 10"
    app.text_input(key="rec_computer_os").set_value("Windows 11")
    app.text_area(key="rec_computer_notes").set_value("nâng cấp tháng 11")
    submit(app, "rec_computer_save")
    assert [s.value for s in app.main.success if "lượt thay đổi" in s.value]
    assert stored(lan, "LC-01").os == "Windows 11"
    history = frame_with(app, "Trước → sau")
    assert history["Người thực hiện"].iloc[0] == "lan"
    assert history["Lệnh"].iloc[0] == "edit computer LC-01"
    assert "os: Windows 10 → Windows 11" in history["Trước → sau"].iloc[0]

    app.checkbox(key="rec_retire_confirm").check()
    submit(app, "rec_retire_save")
    assert stored(lan, "LC-01").status == "retired"
    assert frame_with(app, "Trước → sau")["Lệnh"].iloc[0] == "retire computer LC-01"
    assert not app.get("date_input")  # retired: no second retirement
    sets = json.loads(ictr("history", "--user", "lan", "--format", "json"))
    assert [s["command"] for s in sets] == ["retire computer LC-01", "edit computer LC-01"]


def test_no_form_for_a_viewer_or_outside_the_scope(lan: Engine) -> None:
    viewer = open_computer(run_page(INVENTORY), "LC-01")
    assert not [w for w in viewer.get("text_input") if w.key and w.key.startswith("rec_")]
    assert not viewer.main.get("form_submit_button")
    editor = open_computer(signed_in(INVENTORY), "ST-01")  # the province's department
    shown = [w.key for w in editor.get("text_input")]
    assert not [k for k in shown if k and k.startswith("rec_computer")]
    assert any("ngoài phạm vi" in c.value for c in editor.main.caption)


def test_two_sessions_save_one_computer_the_second_is_refused(lan: Engine) -> None:
    first = open_computer(signed_in(INVENTORY), "LC-01")
    second = open_computer(signed_in(INVENTORY), "LC-01")
    first.text_input(key="rec_computer_os").set_value("Windows 11")
    submit(first, "rec_computer_save")
    second.text_input(key="rec_computer_os").set_value("Ubuntu 24.04")
    submit(second, "rec_computer_save")
    # Shown as typed: the message's punctuation is escaped from Markdown (markdown_text.plain).
    refused = errors(second)
    assert any("Người khác vừa sửa" in e for e in refused), refused
    assert any("changed by 'lan'" in e and "os: 'Windows 10' → 'Windows 11'" in e for e in refused)
    assert stored(lan, "LC-01").os == "Windows 11"  # the first kept
    # The form opened again on the new values; saved now, it goes through.
    assert second.text_input(key="rec_computer_os").value == "Windows 11"
    second.text_input(key="rec_computer_os").set_value("Ubuntu 24.04")
    submit(second, "rec_computer_save")
    assert stored(lan, "LC-01").os == "Ubuntu 24.04"


def test_head_counts_and_a_new_point_from_the_data_page(lan: Engine, tmp_path: Path) -> None:
    with Session(lan) as session:
        lung_cu = session.exec(select(Agency).where(Agency.code == "X00715")).one()
    app = signed_in(DATA)
    options = app.selectbox(key="rec_agency_pick").options
    assert not [o for o in options if "Sở Thông tin" in o]  # outside her scope: not offered
    app.selectbox(key="rec_agency_pick").set_value(lung_cu.id).run()
    app.number_input(key="rec_agency_officials").set_value(5)
    app.number_input(key="rec_agency_signing").set_value(9)
    submit(app, "rec_agency_save")
    assert any("more people who sign than officials (5)" in e for e in errors(app))
    app.number_input(key="rec_agency_officials").set_value(25)
    submit(app, "rec_agency_save")
    with Session(lan) as session:
        assert session.get(Agency, lung_cu.id).officials == 25  # type: ignore[union-attr]

    app.text_input(key="rec_point_code").set_value("P-LC3")
    app.text_input(key="rec_point_name").set_value("Điểm trường Lũng Cú")
    app.text_input(key="rec_point_address").set_value("224.0.0.1")
    app.selectbox(key="rec_point_agency").set_value(lung_cu.id)
    submit(app, "rec_point_save")
    assert any("not a probe target: a multicast address" in e for e in errors(app))
    app.text_input(key="rec_point_address").set_value("127.0.0.31")
    submit(app, "rec_point_save")
    with Session(lan) as session:
        point = session.exec(select(ConnectionPoint).where(ConnectionPoint.code == "P-LC3")).one()
    assert (point.unit_code, point.address) == ("00715", "127.0.0.31")
    sets = json.loads(ictr("history", "--user", "lan", "--format", "json"))
    assert [s["command"] for s in sets] == [
        "add point P-LC3",
        f"edit agency {lung_cu.id} head-counts",
    ]
