"""Agency systems (website, e-office, one-stop shop connected to the public-service portal),
the share of procedures cut by more than 30 %, and which period each service figure comes
from: imported through the CLI, computed by hand, and the demo's published 2020 figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import get_engine
from inventory.migrate import upgrade
from inventory.models import Agency
from readiness.table import readiness_long
from tests.import_fixtures import (
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
    write_xlsx,
)

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def indicators(level: str, at: str) -> list[dict]:
    result = invoke("indicators", "--level", level, "--at", at, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_demo_reproduces_the_2020_service_and_system_figures(demo_engine: Engine) -> None:
    [province] = indicators("province", "2020-12-31")
    assert round(province["procedures_cut_30_pct"], 2) == 31.55
    assert round(province["procedures_level3_pct"], 2) == 19.28
    assert province["agencies_e_office_pct"] == 100.0
    assert province["agencies_one_stop_connected_pct"] == 100.0


def systems(engine: Engine) -> dict[str, tuple]:
    with Session(engine) as session:
        return {
            a.code or a.name: (a.website, a.e_office, a.one_stop_connected)
            for a in session.exec(select(Agency)).all()
        }


def test_agencies_file_takes_website_e_office_and_one_stop(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ["Mã cơ quan", "Trang thông tin điện tử", "Sử dụng e-office", "Kết nối Cổng DVC"],
        ["STTTT", "https://stttt.hagiang.gov.vn", "Có", "x"],
        ["H026", "http://dongvan.hagiang.gov.vn/", "1", "Không"],
        ["X00715", "Không", "không", "0"],
        ["X00742", "", "", ""],
    ]
    result = invoke("import", "agencies", write_xlsx(tmp_path / "cq.xlsx", {"CQ": rows}))
    assert result.exit_code == 0, result.output
    stored = systems(hg_engine)
    assert stored["STTTT"] == ("https://stttt.hagiang.gov.vn", True, True)
    assert stored["H026"] == ("http://dongvan.hagiang.gov.vn/", True, False)
    assert stored["X00715"] == ("", False, False)  # reported: no website
    assert stored["X00742"] == (None, None, None)  # not reported
    again = invoke("import", "agencies", tmp_path / "cq.xlsx")
    assert "new 0, updated 0, unchanged 4" in again.output

    # Of the agencies that reported: e-office 2 of 3, connected 1 of 3, website 2 of 3 (on
    # the 2020 structure: district People's Committees were dissolved on 2025-07-01).
    [province] = indicators("province", "2025-06-30")
    assert province["agencies_e_office_pct"] == pytest.approx(100 * 2 / 3)
    assert province["agencies_one_stop_connected_pct"] == pytest.approx(100 / 3)
    assert province["agencies_website_pct"] == pytest.approx(100 * 2 / 3)
    by_agency = {r["code"]: r for r in indicators("agency", "2025-06-30")}
    assert by_agency["H026"]["agencies_one_stop_connected_pct"] == 0.0
    assert by_agency["X00742"]["agencies_e_office_pct"] is None  # no data, not zero


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("Website", "javascript:alert(1)", "not a web address (http:// or https://)"),
        ("Website", "ftp://stttt.hagiang.gov.vn", "not a web address (http:// or https://)"),
        ("Website", "https://", "not a web address (http:// or https://)"),
        ("E-office", "có lẽ", "not yes/no (Có/Không, x, 1/0, yes/no)"),
    ],
)
def test_bad_system_cells_are_refused_whole(
    hg_engine: Engine, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    rows = [
        ["Mã cơ quan", "Tên cơ quan", column],
        ["H026", "", "Có" if column != "Website" else "https://a.vn"],
        ["STTTT", "", value],
    ]
    result = invoke("import", "agencies", write_csv(tmp_path / "a.csv", rows))
    assert result.exit_code == 2, result.output
    assert f"row 3, column {column!r}, value {value!r}: {reason}" in result.output
    assert set(systems(hg_engine).values()) == {(None, None, None)}


def test_service_indicators_take_each_agencys_latest_ended_period(
    hg_engine: Engine, tmp_path: Path
) -> None:
    # X00715: a commune's People's Committee, which still exists on the 2026 dates.
    rows = [
        ["Mã cơ quan", "Kỳ báo cáo", "Số TTHC", "Mức độ 4", "Cắt giảm trên 30%", "Hồ sơ tiếp nhận",
         "Đúng hạn"],
        ["STTTT", "2025", 100, 10, 20, 1000, 900],
        ["STTTT", "Quý II/2026", 100, 30, 40, 300, 240],
        ["STTTT", "Q3/2026", 100, 50, 60, 400, 360],  # ends 30/09/2026
        ["X00715", "Năm 2025", 200, 20, 50, 500, 400],
        ["X00715", "Tháng 6/2026", 300, 60, 90, 100, 95],
        ["X00715", "2025Q4", 999, 0, 0, 0, 0],  # ends with the year 2025: the year is taken
    ]  # fmt: skip
    result = invoke("import", "services", write_csv(tmp_path / "s.csv", rows))
    assert result.exit_code == 0, result.output

    # 31/08/2026: STTTT's Q3 has not ended, its Q2 has; X00715's June has.
    [province] = indicators("province", "2026-08-31")
    assert province["procedures_level4_pct"] == pytest.approx(100 * (30 + 60) / (100 + 300))
    assert province["procedures_cut_30_pct"] == pytest.approx(100 * (40 + 90) / 400)
    assert province["dossiers_on_time_pct"] == pytest.approx(100 * (240 + 95) / 400)
    # 31/12/2025: both agencies' year 2025 (X00715's 2025Q4 ends the same day: the year wins).
    [province] = indicators("province", "2025-12-31")
    assert province["procedures_cut_30_pct"] == pytest.approx(100 * (20 + 50) / 300)
    # Before any period ended: no data.
    [province] = indicators("province", "2025-06-30")
    assert province["procedures_cut_30_pct"] is None

    # The long table says which period each service value comes from.
    with Session(hg_engine) as session:
        long = readiness_long(session, level="agency", at=date(2026, 10, 1))
    period = long.set_index(["code", "indicator"])["period"]
    assert period[("STTTT", "procedures_cut_30_pct")] == "2026Q3"
    assert period[("X00715", "procedures_cut_30_pct")] == "2026-06"
    assert pd.isna(period[("X00715", "internet_share_pct")])
    with Session(hg_engine) as session:
        long = readiness_long(session, level="province", at=date(2026, 10, 1))
    cut = long[long.indicator == "procedures_cut_30_pct"].iloc[0]
    assert (cut.period, cut.numerator, cut.denominator) == ("2026-06, 2026Q3", 150, 400)


def test_migration_0006_keeps_every_row(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO admin_unit (code, name, short_name, unit_type, level) "
                "VALUES ('02', 'Tỉnh Hà Giang', 'Hà Giang', 'Tỉnh', 'province')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agency (code, name, kind, unit_code, officials, signing_officials) "
                "VALUES ('S', 'Sở Y tế', 'provincial', '02', 10, 2)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO service_figure (unit_code, agency_id, period, procedures, "
                "procedures_level3, procedures_level4, dossiers_received, dossiers_online, "
                "dossiers_on_time) VALUES ('02', 1, '2020', 100, 20, 15, 50, 5, 45)"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        agency = connection.execute(
            text("SELECT code, officials, website, e_office, one_stop_connected FROM agency")
        ).one()
        figure = connection.execute(
            text("SELECT procedures, procedures_level3, procedures_cut_30 FROM service_figure")
        ).one()
    assert tuple(agency) == ("S", 10, None, None, None)
    assert tuple(figure) == (100, 20, 0)
    with pytest.raises(Exception, match="cut_30"), engine.begin() as connection:
        connection.execute(text("UPDATE service_figure SET procedures_cut_30 = 101"))
