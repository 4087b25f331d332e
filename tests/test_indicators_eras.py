"""Indicators at a date use the structure valid at that date: 2020's districts, 2025's communes.

A small inventory in Thành phố Hà Giang (district 024), built by hand on the real units of
`vietnamadminunits` (Hà Giang 02 of 2020 and its successor, Tuyên Quang 08@2025):

  2020 commune                  2025 commune (correspondence)
  00688 Phường Quang Trung      divided: 00694@2025 Hà Giang 1, 00691@2025 Hà Giang 2 (default)
  00691 Phường Trần Phú         00691@2025 Phường Hà Giang 2 (same code, another commune)
  00694 Phường Nguyễn Trãi      00694@2025 Phường Hà Giang 1 (same code, another commune)

  agency  kind                unit        officials  computers in use (internet)
  S       provincial          02          10         8 bought 2019 (8)
  H       district committee  024         20         16 bought 2018 (12), and 1 bought 2015
                                                     retired on 2024-03-01: in use in 2020
          succeeded on 2025-07-01 by K
  K       commune committee   00691@2025  30         6 bought 2025-09-15 (6); exists from 2025-07-01
  Q       commune committee   00688       8          4 bought 2019 (2)
  T       commune committee   00691       5          5 bought 2020 (5), 2 bought 2026 (2)
  N       commune committee   00694       6          3 bought 2017 (0)
  O       other (office)      024         4          2 bought 2019 (0); dissolved 2025-06-30,
                                                     no successor

Points: P1 in 00688 (agency Q), P2 in 00694 (agency H).
Service figures: H 2020 (100 procedures, 20 at level 3), T 2020 (10, 5), K 2026Q3 (50, 25).

On 2020-12-31, district 024 holds H, O, Q, T, N: 17 + 2 + 4 + 5 + 3 = 31 computers, 12 + 0 + 2
+ 5 + 0 = 19 on the internet; core (H) 17 / 20 officials; communes (Q, T, N) 12 / 19; level 3:
(20 + 5) / (100 + 10).

On 2026-12-01, Phường Hà Giang 2 (00691@2025) holds K with H's computers (6 + 16, internet
6 + 12), Q (divided: its default part) and T (5 + 2): 33 computers, 27 on the internet; all
are commune committees: 33 / (30 + 8 + 5) officials; no core agency (no data); level 3: K's
latest period only (its predecessor H's 2020 figures give way) and T's 2020: (25 + 5) /
(50 + 10); P1 (in 00688). Phường Hà Giang 1 (00694@2025) holds N (3, none on the internet)
and P2. O's computers count nowhere: it was dissolved with no successor.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.admin_units import load_units
from inventory.db import session_scope
from inventory.models import (
    Agency,
    AgencyKind,
    AgencySuccession,
    Computer,
    ComputerStatus,
    ConnectionPoint,
    IndicatorSnapshot,
    ServiceFigure,
)
from readiness.indicators import INDICATORS
from readiness.table import readiness_table

runner = CliRunner()

HG1, HG2, NGOC_DUONG = "00694@2025", "00691@2025", "00700@2025"

AGENCIES = {
    # code: (name, kind, unit, officials, valid_from, valid_to)
    "S": ("Sở Thông tin và Truyền thông", AgencyKind.provincial, "02", 10, None, None),
    "H": ("UBND thành phố Hà Giang", AgencyKind.district_committee, "024", 20, None, None),
    "K": ("UBND phường Hà Giang 2", AgencyKind.commune_committee, HG2, 30, date(2025, 7, 1), None),
    "Q": ("UBND phường Quang Trung", AgencyKind.commune_committee, "00688", 8, None, None),
    "T": ("UBND phường Trần Phú", AgencyKind.commune_committee, "00691", 5, None, None),
    "N": ("UBND phường Nguyễn Trãi", AgencyKind.commune_committee, "00694", 6, None, None),
    "O": ("Phòng Văn hoá thành phố", AgencyKind.other, "024", 4, None, date(2025, 6, 30)),
}
# agency: [(how many, purchase year, purchase date, on the internet, status, retired on)]
COMPUTERS = {
    "S": [(8, 2019, None, True, ComputerStatus.in_use, None)],
    "H": [
        (12, 2018, None, True, ComputerStatus.in_use, None),
        (4, 2018, None, False, ComputerStatus.in_use, None),
        (1, 2015, None, False, ComputerStatus.retired, date(2024, 3, 1)),
    ],
    "K": [(6, 2025, date(2025, 9, 15), True, ComputerStatus.in_use, None)],
    "Q": [
        (2, 2019, None, True, ComputerStatus.in_use, None),
        (2, 2019, None, False, ComputerStatus.in_use, None),
    ],
    "T": [
        (5, 2020, None, True, ComputerStatus.in_use, None),
        (2, 2026, None, True, ComputerStatus.in_use, None),
    ],
    "N": [(3, 2017, None, False, ComputerStatus.in_use, None)],
    "O": [(2, 2019, None, False, ComputerStatus.in_use, None)],
}
SERVICES = [("H", "2020", 100, 20), ("T", "2020", 10, 5), ("K", "2026Q3", 50, 25)]


def build_city(engine: Engine) -> dict[str, int]:
    """The inventory above; returns the agencies' ids by their letter."""
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        ids: dict[str, int] = {}
        for code, (name, kind, unit, officials, since, until) in AGENCIES.items():
            agency = Agency(
                code=code,
                name=name,
                kind=kind,
                unit_code=unit,
                officials=officials,
                valid_from=since,
                valid_to=until,
            )
            session.add(agency)
            session.flush()
            assert agency.id is not None
            ids[code] = agency.id
        session.add(
            AgencySuccession(
                agency_id=ids["H"], successor_id=ids["K"], succeeded_on=date(2025, 7, 1)
            )
        )
        session.get(Agency, ids["H"]).valid_to = date(2025, 6, 30)  # type: ignore[union-attr]
        tag = 0
        for code, batches in COMPUTERS.items():
            for count, year, bought, internet, status, retired in batches:
                for _ in range(count):
                    tag += 1
                    session.add(
                        Computer(
                            asset_tag=f"T{tag:03d}",
                            agency_id=ids[code],
                            purchase_year=year,
                            purchase_date=bought,
                            internet=internet,
                            status=status,
                            retired_on=retired,
                        )
                    )
        for n, (code, unit, agency) in enumerate([("P1", "00688", "Q"), ("P2", "00694", "H")]):
            session.add(
                ConnectionPoint(
                    code=code,
                    name=code,
                    unit_code=unit,
                    agency_id=ids[agency],
                    address=f"127.0.9.{n + 1}",
                )
            )
        for code, period, procedures, level3 in SERVICES:
            session.add(
                ServiceFigure(
                    unit_code=AGENCIES[code][2],
                    agency_id=ids[code],
                    period=period,
                    procedures=procedures,
                    procedures_level3=level3,
                    procedures_level4=0,
                )
            )
    return ids


@pytest.fixture
def city(engine: Engine) -> Engine:
    build_city(engine)
    return engine


def invoke_json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["indicators", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_2020_districts_count_what_was_in_service_then(city: Engine) -> None:
    units = invoke_json("--at", "2020-12-31", "--level", "district")
    assert len(units) == 11  # Hà Giang's 2020 districts
    city_row = next(u for u in units if u["code"] == "024")
    assert city_row["internet_share_pct"] == pytest.approx(100 * 19 / 31)
    assert city_row["computers_per_official_pct"] == pytest.approx(100 * 17 / 20)
    assert city_row["commune_computers_per_official_pct"] == pytest.approx(100 * 12 / 19)
    assert city_row["procedures_level3_pct"] == pytest.approx(100 * 25 / 110)
    assert city_row["connection_points"] == 2
    (province,) = invoke_json("--at", "2020-12-31", "--level", "province")
    assert province["code"] == "02"
    assert province["internet_share_pct"] == pytest.approx(100 * (19 + 8) / (31 + 8))


def test_2026_communes_are_todays_with_successions_and_the_correspondence(city: Engine) -> None:
    units = invoke_json("--at", "2026-12-01", "--level", "commune")
    # Every commune of today's Tuyên Quang, those without records included (no data).
    assert len(units) == 124
    assert all(str(u["code"]).endswith("@2025") for u in units)
    by_code = {u["code"]: u for u in units}
    hg2, hg1 = by_code[HG2], by_code[HG1]
    assert hg2["name"] == "Phường Hà Giang 2" and hg1["name"] == "Phường Hà Giang 1"
    assert hg2["internet_share_pct"] == pytest.approx(100 * 27 / 33)
    assert hg2["commune_computers_per_official_pct"] == pytest.approx(100 * 33 / 43)
    assert hg2["computers_per_official_pct"] is None  # no provincial or district agency
    assert hg2["procedures_level3_pct"] == pytest.approx(100 * 30 / 60)
    assert hg2["connection_points"] == 1
    assert hg1["internet_share_pct"] == 0
    assert hg1["connection_points"] == 1
    assert by_code[NGOC_DUONG]["internet_share_pct"] is None
    assert by_code[NGOC_DUONG]["index"] is None and by_code[NGOC_DUONG]["rank"] is None
    # The province of the date is the merged one; the dissolved office's 2 computers count
    # nowhere, the provincial department's 8 count for the province.
    (province,) = invoke_json("--at", "2026-12-01", "--level", "province")
    assert province["code"] == "08@2025" and province["name"] == "Tỉnh Tuyên Quang"
    assert province["internet_share_pct"] == pytest.approx(100 * (27 + 8) / (33 + 3 + 8))


def test_agencies_at_a_date_are_those_existing_then(city: Engine) -> None:
    before = {u["code"]: u for u in invoke_json("--at", "2020-12-31", "--level", "agency")}
    after = {u["code"]: u for u in invoke_json("--at", "2026-12-01", "--level", "agency")}
    assert set(before) == {"S", "H", "Q", "T", "N", "O"}
    assert set(after) == {"S", "K", "Q", "T", "N"}
    # H's history stays with it; from the succession its computers count for K.
    assert before["H"]["internet_share_pct"] == pytest.approx(100 * 12 / 17)
    assert after["K"]["internet_share_pct"] == pytest.approx(100 * 18 / 22)
    assert after["K"]["computers_per_official_pct"] == pytest.approx(100 * 22 / 30)


def test_districts_after_the_reform_are_one_clear_error(city: Engine) -> None:
    result = runner.invoke(app, ["indicators", "--at", "2026-12-01", "--level", "district"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = result.output.strip()
    assert message.count("\n") == 0
    assert "two levels" in message and "2026-12-01" in message and "commune" in message


def test_the_default_level_follows_the_date(city: Engine) -> None:
    assert len(invoke_json("--at", "2020-12-31")) == 11
    assert len(invoke_json("--at", "2026-12-01")) == 124


def test_within_the_2020_province_means_its_successor_after_the_reform(city: Engine) -> None:
    units = invoke_json("--at", "2026-12-01", "--level", "commune", "--within", "02")
    assert len(units) == 124
    with Session(city) as session:
        table = readiness_table(session, level="commune", at=date(2026, 12, 1), within="08@2025")
    assert sorted(table["code"]) == sorted(u["code"] for u in units)


def test_snapshot_records_the_unit_keys_of_the_era(city: Engine) -> None:
    result = runner.invoke(app, ["indicators", "snapshot", "--period", "2020"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["indicators", "snapshot", "--period", "2026Q3"])
    assert result.exit_code == 0, result.output
    assert "province, commune" in result.output
    with Session(city) as session:
        stored = {
            (period, level, unit)
            for period, level, unit in session.exec(
                select(
                    IndicatorSnapshot.period, IndicatorSnapshot.level, IndicatorSnapshot.unit_code
                )
            )
        }
    assert ("2020", "district", "024") in stored and ("2020", "province", "02") in stored
    assert ("2026Q3", "commune", HG2) in stored and ("2026Q3", "province", "08@2025") in stored
    assert not {u for p, lv, u in stored if p == "2026Q3" and "@2025" not in u}


def test_json_keeps_its_shape(city: Engine) -> None:
    for unit in invoke_json("--at", "2026-12-01"):
        assert set(unit) == {
            "code",
            "name",
            *INDICATORS,
            "pillar_infrastructure",
            "pillar_human_resources",
            "pillar_services",
            "index",
            "rank",
        }


def test_plan_from_2027_groups_by_commune_and_follows_successions(city: Engine) -> None:
    result = runner.invoke(app, ["plan", "--from", "2027", "--years", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["grouping"] == "commune"
    year = plan["plan"][0]
    assert {d["code"] for d in year["by_district"]} <= {HG1, HG2, "08@2025", "?"}
    agencies = {item["agency"] for item in year["items"]}
    # H's computers of 2018 are due; from the succession they are K's. O was dissolved with
    # no successor: its computers are planned in no area ("?"), with no new ones for it.
    assert "UBND phường Hà Giang 2" in agencies and AGENCIES["H"][0] not in agencies
    o_items = [i for i in year["items"] if i["agency"] == AGENCIES["O"][0]]
    assert {(i["district"], i["action"]) for i in o_items} == {("?", "replace")}
    k_items = [i for i in year["items"] if i["agency"] == "UBND phường Hà Giang 2"]
    assert {i["district"] for i in k_items} == {HG2}
    assert sum(1 for i in k_items if i["action"] == "replace" and i["purchase_year"] == 2018) == 16
    refused = runner.invoke(app, ["plan", "--from", "2027", "--district", "024"])
    assert refused.exit_code == 2 and "two-level" in refused.output
    by_district = runner.invoke(app, ["plan", "--from", "2025", "--years", "1", "--format", "json"])
    assert by_district.exit_code == 0, by_district.output
    assert json.loads(by_district.output)["grouping"] == "district"


def test_table_points_to_what_is_not_placed_for_certain(city: Engine) -> None:
    today = runner.invoke(app, ["indicators", "--at", "2026-12-01"])
    assert today.exit_code == 0, today.output
    # Q (in divided Quang Trung), P1 (likewise) and O (dissolved, no successor).
    assert "note: 3 agencies or points are not placed for certain on 2026-12-01" in today.output
    assert "ictr units unresolved --at 2026-12-01" in today.output
    before = runner.invoke(app, ["indicators", "--at", "2020-12-31"])
    assert before.exit_code == 0 and "not placed for certain" not in before.output


def test_annual_report_has_the_sheets_of_the_years_structure(city: Engine, tmp_path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["report", "--year", "2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    assert "Cấp huyện" not in book.sheetnames  # on 2025-12-31 there are no districts
    assert {"Cấp tỉnh", "Cấp xã"} <= set(book.sheetnames)
    title = next(book["Cấp tỉnh"].iter_rows(values_only=True))[0]
    assert "Tỉnh Tuyên Quang" in str(title)
    result = runner.invoke(app, ["report", "--year", "2020", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Cấp huyện" in load_workbook(out, read_only=True).sheetnames
