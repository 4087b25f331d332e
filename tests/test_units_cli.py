"""`ictr units map` and `ictr units unresolved` as a user runs them, on a database made by
`ictr init` for Hà Giang (real vietnamadminunits data)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.models import Agency, AgencyKind, AgencySuccession, Computer, ConnectionPoint

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def initialised(db_url: str) -> Engine:
    result = invoke("init")
    assert result.exit_code == 0, result.output
    return get_engine(db_url)


@pytest.fixture
def with_records(initialised: Engine) -> dict[str, int]:
    """A district office nobody took over, a commune committee in a divided commune with a
    point, and a district committee succeeded by a 2025 ward."""
    with session_scope(initialised) as session:
        agencies = {
            "office": Agency(
                name="Phòng Nội vụ thành phố Hà Giang",
                kind=AgencyKind.other,
                unit_code="024",
                officials=6,
                valid_to=date(2025, 6, 30),
            ),
            "divided": Agency(
                name="UBND phường Quang Trung",
                kind=AgencyKind.commune_committee,
                unit_code="00688",
                officials=12,
            ),
            "district": Agency(
                name="UBND thành phố Hà Giang",
                kind=AgencyKind.district_committee,
                unit_code="024",
                officials=40,
            ),
            "ward": Agency(
                name="UBND phường Hà Giang 2",
                kind=AgencyKind.commune_committee,
                unit_code="00691@2025",
                officials=30,
                valid_from=date(2025, 7, 1),
            ),
        }
        session.add_all(agencies.values())
        session.flush()
        ids = {k: a.id for k, a in agencies.items()}
        session.add(
            AgencySuccession(
                agency_id=ids["district"], successor_id=ids["ward"], succeeded_on=date(2025, 7, 1)
            )
        )
        session.add_all(
            [Computer(asset_tag=f"NV-{i}", agency_id=ids["office"]) for i in range(3)]
            + [Computer(asset_tag="QT-1", agency_id=ids["divided"])]
        )
        session.add(
            ConnectionPoint(
                code="P-QT",
                name="Điểm UBND phường Quang Trung",
                unit_code="00688",
                agency_id=ids["divided"],
                address="127.0.0.1",
            )
        )
    return {k: v for k, v in ids.items() if v is not None}


def test_map_from_a_divided_commune_shows_every_part_and_the_default(initialised: Engine) -> None:
    result = invoke("units", "map", "--from", "00688")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == [
        "00688", "Phường", "Quang", "Trung", "00691@2025", "Phường", "Hà", "Giang", "2", "có", "/",
        "yes",
    ]  # fmt: skip
    assert lines[2].split()[4] == "00694@2025" and lines[2].endswith("không / no")
    assert lines[-1] == "2 dòng / rows; 1 đơn vị bị chia / divided units"


def test_map_as_json(initialised: Engine) -> None:
    result = invoke("units", "map", "--from", "00691@2025", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # Hà Giang 2 took code 00691, which was Phường Trần Phú's: both are listed, unmixed.
    by_old = {r["old_code"]: r for r in rows}
    assert set(by_old) == {"00688", "00691", "00692", "00697", "00934"}
    assert by_old["00691"]["old_name"] == "Phường Trần Phú"
    assert {r["new_name"] for r in rows} == {"Phường Hà Giang 2"}
    assert by_old["00688"]["divided"] is True and by_old["00688"]["is_default"] is True
    assert by_old["00691"]["divided"] is False

    whole = json.loads(invoke("units", "map", "--format", "json").output)
    assert len(whole) == 197  # the province, 193 communes, two more parts for three divided
    assert sum(not r["is_default"] for r in whole) == 3


def test_map_of_a_district_lists_where_its_communes_went(initialised: Engine) -> None:
    rows = json.loads(invoke("units", "map", "--from", "024", "--format", "json").output)
    # Thành phố Hà Giang: five wards and three communes; Quang Trung (00688) has two rows.
    assert {r["old_code"] for r in rows} == {
        "00688", "00691", "00692", "00694", "00697", "00700", "00946", "00949",
    }  # fmt: skip
    assert len(rows) == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["units", "map", "--from", "99999"], "--from '99999': no such unit"),
        (["units", "map", "--format", "xml"], "--format 'xml': use table or json"),
        (["units", "unresolved", "--at", "2026-13-01"], "--at '2026-13-01': write the date"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(initialised: Engine, args, message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {message}")
    assert result.output.count("\n") == 1


def test_unresolved_lists_a_divided_communes_records_and_a_dissolved_agency(
    with_records: dict[str, int],
) -> None:
    result = invoke("units", "unresolved", "--at", "2026-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["at"], report["era"]) == ("2026-12-01", 2025)
    cases = {(u["kind"], u["record"]): u for u in report["unresolved"]}
    assert set(cases) == {
        ("no_successor", f"agency {with_records['office']}"),
        ("divided_commune", f"agency {with_records['divided']}"),
        ("divided_commune", "point P-QT"),
    }
    office = cases["no_successor", f"agency {with_records['office']}"]
    assert (office["unit_code"], office["mapped_to"], office["records"]) == ("024", None, 3)
    commune = cases["divided_commune", f"agency {with_records['divided']}"]
    assert commune["mapped_to"] == "00691@2025"
    assert commune["candidates"] == ["00691@2025", "00694@2025"]
    assert commune["records"] == 2  # a computer and a point

    table = invoke("units", "unresolved", "--at", "2026-12-01")
    assert table.exit_code == 0, table.output
    assert "Phòng Nội vụ thành phố Hà Giang" in table.output
    assert "xã bị chia / divided commune" in table.output
    assert table.output.splitlines()[-1] == "3 chưa xác định / unresolved"


def test_nothing_is_unresolved_in_2020(with_records: dict[str, int]) -> None:
    result = invoke("units", "unresolved", "--at", "2020-12-31")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "cơ cấu ngày / structure at 2020-12-31 (era 2020)",
        "không có gì chưa xác định / nothing unresolved",
    ]
