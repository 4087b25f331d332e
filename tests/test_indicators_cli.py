"""`ictr indicators`, `ictr indicators snapshot` and `ictr report` on the demo."""

import json
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.models import IndicatorSnapshot
from readiness.indicators import INDICATORS
from readiness.table import readiness_table

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_demo_reproduces_the_published_province_figures(demo_engine) -> None:
    with Session(demo_engine) as session:
        province = readiness_table(session, level="province", at=date(2020, 12, 31)).iloc[0]
    assert f"{province['computers_per_official_pct']:.2f}" == "104.06"
    assert f"{province['internet_share_pct']:.2f}" == "91.14"
    assert province["connection_points"] == 73
    assert f"{province['procedures_level3_pct']:.2f}" == "19.28"
    assert f"{province['procedures_level4_pct']:.2f}" == "14.79"
    assert f"{province['dossiers_on_time_pct']:.2f}" == "89.32"


def test_json_has_one_object_per_district_with_stable_keys(demo_engine) -> None:
    result = invoke("indicators", "--level", "district", "--at", "2020-12-31", "--format", "json")
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)
    assert len(units) == 11
    for unit in units:
        assert set(INDICATORS) | {"code", "name", "index", "rank"} <= set(unit)
    ranks = sorted(u["rank"] for u in units)
    assert ranks == list(range(1, 12))
    by_code = {u["code"]: u for u in units}
    # Before any probe ran there is no availability: null, never 0.
    assert by_code["026"]["availability_24h_pct"] is None
    # The provincial city leads remote Đồng Văn.
    assert by_code["024"]["index"] > by_code["026"]["index"]


def test_csv_and_table_formats(demo_engine) -> None:
    result = invoke("indicators", "--format", "csv", "--at", "2020-12-31")
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split(",")
    assert header[:2] == ["code", "name"] and "index" in header
    assert len(result.output.splitlines()) == 12
    table = invoke("indicators", "--at", "2020-12-31")
    assert table.exit_code == 0
    assert "computers_per_official_pct" in table.output and "no data" in table.output
    assert "SYNTHETIC" in table.output


def test_another_config_changes_the_index(demo_engine, tmp_path) -> None:
    config = tmp_path / "only_services.toml"
    config.write_text(
        "[pillars]\nservices = 1\n[indicators.dossiers_on_time_pct]\nmethod = 'minmax'\n"
    )
    result = invoke("indicators", "--at", "2020-12-31", "--format", "json", "--config", str(config))
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)
    best = max(units, key=lambda u: u["dossiers_on_time_pct"])
    worst = min(units, key=lambda u: u["dossiers_on_time_pct"])
    assert best["index"] == 1.0 and best["rank"] == 1
    assert worst["index"] == 0.0 and worst["rank"] == 11


@pytest.mark.parametrize(
    "args, message",
    [
        (["--level", "village"], "--level 'village': use one of"),
        (["--at", "31/12/2020"], "--at '31/12/2020': write the date as YYYY-MM-DD"),
        (["--format", "pdf"], "--format 'pdf'"),
        (["snapshot", "--period", "2026Q5"], "period '2026Q5'"),
    ],
)
def test_bad_options_are_one_line_errors(demo_engine, args, message) -> None:
    result = invoke("indicators", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_snapshot_reruns_replace_the_period(demo_engine) -> None:
    first = invoke("indicators", "snapshot", "--period", "2020Q4")
    assert first.exit_code == 0, first.output
    with Session(demo_engine) as session:
        count = len(session.exec(select(IndicatorSnapshot)).all())
        index_rows = session.exec(
            select(IndicatorSnapshot).where(
                IndicatorSnapshot.period == "2020Q4",
                IndicatorSnapshot.indicator == "index",
                IndicatorSnapshot.level == "district",
            )
        ).all()
    assert len(index_rows) == 11
    assert count == 12 * (len(INDICATORS) + 4)  # province + 11 districts
    second = invoke("indicators", "snapshot", "--period", "2020Q4")
    assert second.exit_code == 0
    with Session(demo_engine) as session:
        assert len(session.exec(select(IndicatorSnapshot)).all()) == count
    other = invoke("indicators", "snapshot", "--period", "2020Q3")
    assert other.exit_code == 0
    with Session(demo_engine) as session:
        assert len(session.exec(select(IndicatorSnapshot)).all()) == 2 * count


def test_annual_report_has_vietnamese_headers_and_every_unit(demo_engine, tmp_path) -> None:
    out = tmp_path / "report.xlsx"
    result = invoke("report", "--year", "2020", "-o", str(out))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]
    districts = pd.read_excel(out, sheet_name="Cấp huyện", header=2)
    assert len(districts) == 11
    assert "Tỷ lệ máy tính/CBCCVC (sở, ngành, UBND huyện)" in districts.columns
    assert "Xếp hạng" in districts.columns
    province = pd.read_excel(out, sheet_name="Cấp tỉnh", header=2).iloc[0]
    assert province["Tỷ lệ máy tính/CBCCVC (sở, ngành, UBND huyện)"] == pytest.approx(
        104.06, abs=0.005
    )
    assert "MÔ PHỎNG" in workbook["Cấp tỉnh"]["A2"].value
    assert len(pd.read_excel(out, sheet_name="Cấp xã", header=2)) == 193
