"""`ictr import successions`: which agency took over another's records, and from which day.

The database holds 2020 Hà Giang and today's Tuyên Quang (real vietnamadminunits data), the
five agencies of tests/import_fixtures.py, and two 2025 agencies.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import (
    Agency,
    AgencyKind,
    AgencySuccession,
    Certificate,
    CertificateKind,
    Computer,
    ConnectionPoint,
)
from inventory.structure_at import StructureAt
from tests.hostile_files import database_dump
from tests.import_fixtures import (
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
    write_xlsx,
)

runner = CliRunner()
JULY_2025 = date(2025, 7, 1)

HEADER = ["Mã cơ quan cũ", "Cơ quan cũ", "ĐVHC cơ quan cũ", "Mã cơ quan kế thừa",
          "Cơ quan kế thừa", "ĐVHC cơ quan kế thừa", "Ngày kế thừa"]  # fmt: skip


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


@pytest.fixture(name="eras_engine")
def eras_engine_fixture(hg_engine: Engine) -> Engine:
    """Today's Đồng Văn commune committee and Tuyên Quang's science department (both from
    1 July 2025); Đồng Văn district's committee holds 3 computers, 1 point, 2 certificates,
    the information department 1 computer."""
    with session_scope(hg_engine) as session:
        session.add(
            Agency(code="X00721-2025", name="UBND xã Đồng Văn", kind=AgencyKind.commune_committee,
                   unit_code="00721@2025", valid_from=JULY_2025)
        )  # fmt: skip
        session.add(
            Agency(code="SKHCN-TQ", name="Sở Khoa học và Công nghệ", kind=AgencyKind.provincial,
                   unit_code="08@2025", valid_from=JULY_2025)
        )  # fmt: skip
        ids = {a.code: a.id for a in session.exec(select(Agency)).all()}
        for n in range(3):
            session.add(Computer(asset_tag=f"H026-{n}", agency_id=ids["H026"], purchase_year=2019))
        session.add(Computer(asset_tag="STTTT-1", agency_id=ids["STTTT"], purchase_year=2020))
        session.add(
            ConnectionPoint(code="P-H026", name="UBND huyện Đồng Văn", agency_id=ids["H026"],
                            unit_code="026", address="127.0.2.6")
        )  # fmt: skip
        for n in range(2):
            session.add(
                Certificate(serial=f"54010100{n}", holder=f"Cán bộ {n}", agency_id=ids["H026"],
                            kind=CertificateKind.personal, issued_on=date(2024, 1, 1),
                            expires_on=date(2027, 1, 1))
            )  # fmt: skip
    return hg_engine


def held(engine: Engine, at: date) -> Counter[tuple[str, str]]:
    """Per (holding agency's code, kind of record): the records it holds at `at`, through
    StructureAt, as the indicators count them."""
    out: Counter[tuple[str, str]] = Counter()
    with Session(engine) as session:
        structure = StructureAt.load(session, at=at)
        codes = {a.id: a.code for a in session.exec(select(Agency)).all()}
        for model, kind in ((Computer, "computers"), (ConnectionPoint, "points"),
                            (Certificate, "certificates")):  # fmt: skip
            for record in session.exec(select(model)).all():
                holder = structure.holder_of_agency(record.agency_id)
                out[(codes[holder] if holder is not None else "-", kind)] += 1
    return out


def test_a_succession_moves_records_from_its_day_and_keeps_history(
    eras_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        ["H026", "", "", "", "UBND xã Đồng Văn", "Xã Đồng Văn", "01/07/2025"],
        ["", "Sở Thông tin và Truyền thông", "Hà Giang", "", "Sở Khoa học và Công nghệ", "",
         date(2025, 7, 1)],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "ke-thua.xlsx", {"Kế thừa": rows})
    dry = invoke("import", "successions", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        dry.stdout.splitlines()[-1]
        == "dry run, nothing written: would be new 2, updated 0, unchanged 0"
    )
    before = held(eras_engine, date(2025, 6, 30))
    # Without a successor the dissolved district's committee holds nothing from 1 July 2025
    # (`ictr units unresolved` lists it); the dry run wrote none.
    assert held(eras_engine, JULY_2025) == Counter({
        ("-", "computers"): 3, ("-", "points"): 1, ("-", "certificates"): 2,
        ("STTTT", "computers"): 1,
    })  # fmt: skip

    result = invoke("import", "successions", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "new 2, updated 0, unchanged 0"

    # The day before: everything counts for the old agencies, as before the import.
    assert held(eras_engine, date(2025, 6, 30)) == before == Counter({
        ("H026", "computers"): 3, ("H026", "points"): 1, ("H026", "certificates"): 2,
        ("STTTT", "computers"): 1,
    })  # fmt: skip
    # From the day, and later: for the successors.
    expected_after = Counter({
        ("X00721-2025", "computers"): 3, ("X00721-2025", "points"): 1,
        ("X00721-2025", "certificates"): 2, ("SKHCN-TQ", "computers"): 1,
    })  # fmt: skip
    assert held(eras_engine, JULY_2025) == expected_after
    assert held(eras_engine, date(2026, 12, 1)) == expected_after

    with Session(eras_engine) as session:
        agencies = {a.code: a for a in session.exec(select(Agency)).all()}
        # History stays with the old agency: the records keep its id; it ends the day before.
        owners = {c.asset_tag: c.agency_id for c in session.exec(select(Computer))}
        assert {owners[f"H026-{n}"] for n in range(3)} == {agencies["H026"].id}
        assert agencies["H026"].valid_to == date(2025, 6, 30)
        assert agencies["STTTT"].valid_to == date(2025, 6, 30)
        assert agencies["X00715"].valid_to is None
        successions = {
            s.agency_id: (s.successor_id, s.succeeded_on)
            for s in session.exec(select(AgencySuccession)).all()
        }
    assert successions == {
        agencies["H026"].id: (agencies["X00721-2025"].id, JULY_2025),
        agencies["STTTT"].id: (agencies["SKHCN-TQ"].id, JULY_2025),
    }

    dump = database_dump(eras_engine)
    again = invoke("import", "successions", str(path))
    assert again.stdout.splitlines()[-1] == "new 0, updated 0, unchanged 2"
    after = database_dump(eras_engine)
    # The audit trail records the second import (who imported which file), with no row.
    assert after.pop("change_set") != dump.pop("change_set")
    assert after == dump


def test_english_headers_and_a_later_date_update_the_succession(
    eras_engine: Engine, tmp_path: Path
) -> None:
    first = [["Old agency code", "Successor code", "Date"], ["X00715", "X00721-2025", "2025-07-01"]]
    assert do_import(eras_engine, "successions", write_csv(tmp_path / "a.csv", first)).ok
    later = [["Old agency code", "Successor code", "Date"], ["X00715", "X00721-2025", "15/08/2025"]]
    report = do_import(eras_engine, "successions", write_csv(tmp_path / "b.csv", later))
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (0, 1, 0)
    with Session(eras_engine) as session:
        lung_cu = session.exec(select(Agency).where(Agency.code == "X00715")).one()
    assert lung_cu.valid_to == date(2025, 8, 14)


def test_every_bad_row_is_named_and_nothing_is_written(eras_engine: Engine, tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["NOPE", "", "", "X00721-2025", "", "", "01/07/2025"],
        ["H026", "", "", "H026", "", "", "01/07/2025"],
        ["X00742", "", "", "", "UBND xã Tả Lủng", "00796", "01/07/2025"],
        ["X00796", "", "", "", "UBND xã Tả Lủng", "00742", "01/08/2025"],
        ["H026", "", "", "X00721-2025", "", "", "31/02/2025"],
        ["STTTT", "", "", "X00721-2025", "", "", "sau sáp nhập"],
        ["STTTT", "", "", "SKHCN-TQ", "", "", "01/03/2025"],
        ["X00715", "", "", "X00721-2025", "", "", "01/07/2025"],
        ["X00715", "", "", "SKHCN-TQ", "", "", "01/07/2025"],
        ["", "UBND xã Tả Lủng", "", "X00721-2025", "", "", "01/07/2025"],
        ["", "UBND xã Tả Lủng", "Nơi nào đó", "X00721-2025", "", "", "01/07/2025"],
        ["STTTT", "", "", "X00721-2025", "", "", ""],
        ["STTTT", "", "", "X00721-2025", "", "", "01/01/2027"],
        ["STTTT", "", "", "", "UBND xã Không Có", "", "01/07/2025"],
    ]
    before = database_dump(eras_engine)
    report = do_import(eras_engine, "successions", write_csv(tmp_path / "ke-thua.csv", rows))
    assert [(e.row, e.column, e.value, e.reason) for e in report.sorted_errors()] == [
        (2, "Mã cơ quan cũ", "NOPE", "no agency with this code"),
        (3, "Mã cơ quan kế thừa", "H026", "an agency cannot succeed itself"),
        (4, "Cơ quan kế thừa", "UBND xã Tả Lủng",
         "a cycle of successions: UBND xã Tả Lủng → UBND xã Tả Lủng → UBND xã Tả Lủng"),
        (5, "Cơ quan kế thừa", "UBND xã Tả Lủng",
         "a cycle of successions: UBND xã Tả Lủng → UBND xã Tả Lủng → UBND xã Tả Lủng"),
        (6, "Ngày kế thừa", "31/02/2025", "no such date"),
        (7, "Ngày kế thừa", "sau sáp nhập",
         "not a date (expected dd/mm/yyyy, yyyy-mm-dd or a year)"),
        (8, "Mã cơ quan kế thừa", "SKHCN-TQ",
         "the successor 'Sở Khoa học và Công nghệ' (08@2025) is in a unit of the 2025 "
         "structure, which exists from 01/07/2025, not on 01/03/2025"),
        (10, "Mã cơ quan cũ", "X00715",
         "this agency's successor is already given on row 9 (one per agency)"),
        (11, "Cơ quan cũ", "UBND xã Tả Lủng",
         "several agencies have this name ('UBND xã Tả Lủng' (00742), 'UBND xã Tả Lủng' "
         "(00796)): give the unit or the code"),
        (12, "ĐVHC cơ quan cũ", "Nơi nào đó", "no unit with this name or code"),
        (13, "Ngày kế thừa", "", "the date is missing (the successor's first day)"),
        (14, "Ngày kế thừa", "01/01/2027", "in the future"),
        (15, "Cơ quan kế thừa", "UBND xã Không Có", "no agency with this name"),
    ]  # fmt: skip
    assert database_dump(eras_engine) == before


def test_a_successor_that_ends_before_the_day_is_refused(
    eras_engine: Engine, tmp_path: Path
) -> None:
    """The successor itself succeeded (in the same file) before the day it would take over."""
    rows = [
        ["Mã cơ quan cũ", "Mã cơ quan kế thừa", "Ngày kế thừa"],
        ["X00742", "X00796", "01/09/2025"],
        ["X00796", "X00721-2025", "01/08/2025"],
    ]
    report = do_import(eras_engine, "successions", write_csv(tmp_path / "a.csv", rows))
    assert [(e.row, e.column, e.reason) for e in report.sorted_errors()] == [
        (2, "Mã cơ quan kế thừa",
         "the successor 'UBND xã Tả Lủng' (00796) does not exist on 01/09/2025 (it exists "
         "from the start until 31/07/2025)"),
    ]  # fmt: skip


def test_the_cli_refusal_names_file_row_column_value(eras_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ke-thua.csv", [HEADER, ["H026", "", "", "H026", "", "", "1/7/2025"]]
    )
    before = database_dump(eras_engine)
    result = invoke("import", "successions", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: ke-thua.csv: row 2, column 'Mã cơ quan kế thừa', value 'H026': an agency "
        "cannot succeed itself; nothing was imported\n"
    )
    assert database_dump(eras_engine) == before


def test_a_chain_of_successions_is_followed_day_by_day(eras_engine: Engine, tmp_path: Path) -> None:
    """Sở TT&TT Hà Giang -> Sở KH&CN Hà Giang on 1 March 2025 (a 2020-era merger) -> Sở KH&CN
    Tuyên Quang on 1 July 2025, in one file, the later row first."""
    with session_scope(eras_engine) as session:
        session.add(Agency(code="SKHCN-HG", name="Sở Khoa học và Công nghệ", unit_code="02",
                           kind=AgencyKind.provincial))  # fmt: skip
    rows = [
        ["Old agency", "Old unit", "Successor", "Successor unit", "Date"],
        ["Sở Khoa học và Công nghệ", "Hà Giang", "Sở Khoa học và Công nghệ", "", "01/07/2025"],
        ["Sở Thông tin và Truyền thông", "", "Sở Khoa học và Công nghệ", "02", "01/03/2025"],
    ]
    report = do_import(eras_engine, "successions", write_csv(tmp_path / "chain.csv", rows))
    assert report.ok, report.lines()
    assert held(eras_engine, date(2025, 2, 28))[("STTTT", "computers")] == 1
    assert held(eras_engine, date(2025, 3, 1))[("SKHCN-HG", "computers")] == 1
    assert held(eras_engine, date(2025, 6, 30))[("SKHCN-HG", "computers")] == 1
    assert held(eras_engine, JULY_2025)[("SKHCN-TQ", "computers")] == 1
