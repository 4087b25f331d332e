"""`ictr indicators compare`: 2020's records re-aggregated onto the 2025 communes, beside
today's, on the hand-built inventory of tests/test_indicators_eras.py (its docstring gives the
records; the sums below are worked out from it).

On 2020-12-31, the records that end up in Phường Hà Giang 2 (00691@2025) are those of H (the
city's People's Committee, whose successor K sits there: 17 computers, 12 on the internet, 20
officials, 20 of 100 procedures at level 3), Q (Phường Quang Trung, divided: all of it goes to
its default part, Hà Giang 2: 4 computers, 2 on the internet, 8 officials) and T (Phường Trần
Phú: 5 computers, all on the internet, 5 officials, 5 of 10 procedures at level 3):
numerators and denominators are summed, then divided.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from ictr.cli.main import app
from readiness.compare import compare_dates
from tests.test_indicators_eras import HG1, HG2, NGOC_DUONG, build_city

runner = CliRunner()


@pytest.fixture
def city(engine: Engine) -> Engine:
    build_city(engine)
    return engine


def compare(*args: str) -> dict:
    result = runner.invoke(
        app,
        ["indicators", "compare", "--from", "2020-12-31", "--to", "2026-12-01", *args],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--format" in args and "json" in args else result.output


def test_2020_records_summed_onto_the_2025_communes(city: Engine) -> None:
    out = compare("--level", "commune", "--format", "json")
    assert (out["from"], out["to"], out["level"]) == ("2020-12-31", "2026-12-01", "commune")
    units = {u["code"]: u for u in out["units"]}
    assert len(units) == 124
    hg2 = units[HG2]
    assert hg2["from"]["internet_share_pct"] == pytest.approx(100 * (12 + 2 + 5) / (17 + 4 + 5))
    assert hg2["to"]["internet_share_pct"] == pytest.approx(100 * 27 / 33)
    assert hg2["change"]["internet_share_pct"] == pytest.approx(100 * 27 / 33 - 100 * 19 / 26)
    assert hg2["from"]["commune_computers_per_official_pct"] == pytest.approx(100 * 9 / 13)
    assert hg2["from"]["computers_per_official_pct"] == pytest.approx(100 * 17 / 20)
    assert hg2["to"]["computers_per_official_pct"] is None
    assert hg2["change"]["computers_per_official_pct"] is None
    assert hg2["from"]["procedures_level3_pct"] == pytest.approx(100 * 25 / 110)
    assert hg2["to"]["procedures_level3_pct"] == pytest.approx(100 * 30 / 60)
    assert hg2["from"]["connection_points"] == 1  # P1, in Quang Trung
    hg1 = units[HG1]  # Phường Nguyễn Trãi's 3 computers, none on the internet, and P2
    assert hg1["from"]["internet_share_pct"] == 0 and hg1["change"]["internet_share_pct"] == 0
    assert hg1["from"]["connection_points"] == 1
    assert units[NGOC_DUONG]["from"]["internet_share_pct"] is None
    # The divided commune is named, with the part that took its records.
    assert out["divided"] == [
        {
            "code": "00688",
            "name": "Phường Quang Trung",
            "default_code": HG2,
            "default_name": "Phường Hà Giang 2",
            "parts": sorted([HG1, HG2]),
        }
    ]


def test_province_level_keeps_what_no_commune_holds(city: Engine) -> None:
    # The dissolved office (O, district 024, no successor) lay in Hà Giang: its 2 computers
    # count for the province in 2020's figures, for no commune.
    out = compare("--level", "province", "--format", "json")
    (province,) = out["units"]
    assert province["code"] == "08@2025"
    assert province["from"]["internet_share_pct"] == pytest.approx(100 * 27 / 39)
    assert province["to"]["internet_share_pct"] == pytest.approx(100 * 35 / 44)


def test_table_and_csv(city: Engine) -> None:
    table = compare("--level", "commune", "--indicator", "internet_share_pct")
    line = next(x for x in table.splitlines() if x.startswith(HG2))
    assert "73.08" in line and "81.82" in line and "8.74" in line
    assert "00688 Phường Quang Trung was divided" in table and HG2 in table
    rows = list(csv.DictReader(io.StringIO(compare("--level", "commune", "--format", "csv"))))
    assert len(rows) == 124
    row = next(r for r in rows if r["code"] == HG2)
    assert float(row["internet_share_pct_from"]) == pytest.approx(100 * 19 / 26)


def test_refusals(city: Engine) -> None:
    for args, words in [
        (["--level", "district"], "two levels"),
        (["--indicator", "nonsense"], "--indicator 'nonsense'"),
    ]:
        result = runner.invoke(
            app,
            ["indicators", "compare", "--from", "2020-12-31", "--to", "2026-12-01", *args],
        )
        assert result.exit_code == 2, result.output
        assert words in result.output and "Traceback" not in result.output
    result = runner.invoke(
        app, ["indicators", "compare", "--from", "2026-12-01", "--to", "2020-12-31"]
    )
    assert result.exit_code == 2 and "the earlier date goes first" in result.output


def test_same_era_compare_is_each_dates_own_figures(city: Engine) -> None:
    with Session(city) as session:
        result = compare_dates(
            session, level="commune", start=date(2025, 8, 1), end=date(2026, 12, 1)
        )
    table = result.table.set_index("code")
    # K's own six computers arrived on 2025-09-15: on 2025-08-01 Hà Giang 2 had 33 - 6 - 2
    # (T's two of 2026) = 25 computers, 12 + 2 + 5 on the internet.
    assert table.loc[HG2, "internet_share_pct_from"] == pytest.approx(100 * 19 / 25)
    assert list(result.divided["code"]) == ["00688"]
