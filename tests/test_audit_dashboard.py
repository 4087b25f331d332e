"""The audit trail on the dashboard (AppTest): the Data page's History names who imported
which file and when (in Asia/Ho_Chi_Minh), with the rows it changed; a computer's detail on
the inventory page lists its own history."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ictr.cli.main import app as cli
from inventory.models import Agency, ChangeSet
from tests.dashboard_fixtures import (  # noqa: F401 (fixtures used by name)
    EDITOR_PASSWORD,
    editor_password,
)
from tests.import_fixtures import write_csv
from tests.test_app import DATA, INVENTORY, run_page, sign_in

HEADER = ["Mã tài sản", "Loại", "Năm mua", "Tình trạng", "Cơ quan", "Hệ điều hành"]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def frame_with(app: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in app.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in app.dataframe]
    return found[0]


def agency_name(engine: Engine) -> str:
    with Session(engine) as session:
        return session.exec(select(Agency.name).where(Agency.code == "HG-H024")).one()


@pytest.mark.usefixtures("editor_password")
def test_data_page_history_names_who_imported_what(demo_engine: Engine) -> None:
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    assert any("Chưa có thay đổi" in c.value for c in app.caption)
    rows = [HEADER, ["AUD-0001", "desktop", 2022, "in_use", agency_name(demo_engine), "Linux"]]
    app.get("file_uploader")[0].set_value(
        ("may-tinh.xlsx", _xlsx(rows), "application/octet-stream")
    )
    app.run()
    app.button(key="data_import").click().run()
    assert not app.exception
    app.run()  # the History section below reads the database as it is now

    sets = frame_with(app, "Người thực hiện")
    assert list(sets["Người thực hiện"]) == ["editor"]
    assert list(sets["Lệnh"]) == ["ictr import computers"]
    assert list(sets["Tệp"]) == ["may-tinh.xlsx"]
    with Session(demo_engine) as session:
        stored = session.exec(select(ChangeSet)).one()
    local = stored.at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert list(sets["Thời điểm"]) == [f"{local:%Y-%m-%d %H:%M:%S}"]

    changed = frame_with(app, "Thao tác")
    assert list(changed["Thao tác"]) == ["Thêm"]
    assert list(changed["Dòng"]) == ["AUD-0001"]
    assert "os: Linux" in changed["Trước → sau"].iloc[0]

    assert app.selectbox(key="history_table").options == ["Tất cả", "computer"]
    app.selectbox(key="history_table").set_value("computer").run()
    assert list(frame_with(app, "Người thực hiện")["Tệp"]) == ["may-tinh.xlsx"]
    app.text_input(key="history_key").set_value("NOT-A-TAG").run()
    assert frame_with_none(app)
    app.text_input(key="history_key").set_value("AUD-0001").run()
    assert list(frame_with(app, "Người thực hiện")["Tệp"]) == ["may-tinh.xlsx"]


def frame_with_none(app: AppTest) -> bool:
    return any("Chưa có thay đổi" in c.value for c in app.caption) and not [
        d for d in app.dataframe if "Người thực hiện" in d.value.columns
    ]


def test_a_computers_detail_lists_its_own_history(demo_engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    header = ["Mã tài sản", "Cơ quan", "Hệ điều hành"]
    for name, os_name in (("a.csv", "Windows 10"), ("b.csv", "Windows 11")):
        path = write_csv(tmp_path / name, [header, ["AUD-0002", "HG-H024", os_name]])
        result = runner.invoke(cli, ["import", "computers", str(path)])
        assert result.exit_code == 0, result.output
    other = write_csv(tmp_path / "c.csv", [header, ["AUD-0003", "HG-H024", "Linux"]])
    assert runner.invoke(cli, ["import", "computers", str(other)]).exit_code == 0

    app = run_page(INVENTORY, lang="en")
    app.selectbox(key="inv_detail").set_value("AUD-0002").run()
    assert not app.exception
    history = frame_with(app, "Before → after")
    assert list(history["Action"]) == ["Changed", "Added"]  # newest first
    assert history["Before → after"].iloc[0] == "os: Windows 10 → Windows 11"
    assert list(history["Command"]) == ["ictr import computers"] * 2
    assert "AUD-0003" not in " ".join(history["Before → after"])
