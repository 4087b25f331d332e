"""Snipe-IT's asset CSV (the shared sample) is recognised and imported."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from inventory.models import Agency, ComputerKind
from tests.import_fixtures import (
    agency_id,
    computers,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    table_counts,
    write_csv,
)


@pytest.fixture
def sample(shared_data: Path) -> Path:
    return shared_data / "snipeit-assets-sample.csv"


def test_sample_imports_with_dates_costs_and_company_as_agency(
    hg_engine: Engine, sample: Path
) -> None:
    report = do_import(hg_engine, "computers", sample, create_agencies=True, unit="02")
    assert report.ok, report.lines()
    assert report.snipeit
    assert report.counts.new == 22
    stored = computers(hg_engine)
    assert len(stored) == 22
    first = stored["ICC-2065556"]  # Abshire and Sons, 1/23/23, 2266.13, Macbook Pro 13"
    assert (first.purchase_year, first.purchase_date) == (2023, date(2023, 1, 23))
    assert first.purchase_cost == 2266.13
    assert first.kind == ComputerKind.laptop
    assert first.manufacturer == "Berge Inc" and first.model == 'Macbook Pro 13"'
    assert stored["WBH-2841795"].purchase_date == date(2022, 11, 14)
    assert stored["NNH-3656031"].purchase_date == date(2023, 3, 1)
    assert stored["SUQ-5159067"].purchase_cost == 4402.74
    assert stored["SUQ-5159067"].kind == ComputerKind.other  # model "Robby", odd category
    assert stored["YOO-5936907"].notes and stored["YOO-5936907"].notes.startswith("proin eu mi")
    with Session(hg_engine) as session:
        company = session.exec(select(Agency).where(Agency.name == "Abshire and Sons")).one()
    assert first.agency_id == company.id and company.unit_code == "02"
    # Every row's Company (never its Location) became its agency.
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 22
    with Session(hg_engine) as session:
        names = dict(session.exec(select(Agency.id, Agency.name)).all())
    assert {r["Asset Tag"]: r["Company"] for r in rows} == {
        tag: names[c.agency_id] for tag, c in stored.items()
    }
    total = sum(float(r["Purchase Cost"]) for r in rows)
    assert sum(c.purchase_cost or 0 for c in stored.values()) == pytest.approx(total)

    again = do_import(hg_engine, "computers", sample)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 22)


def test_unknown_companies_are_each_reported(hg_engine: Engine, sample: Path) -> None:
    report = do_import(hg_engine, "computers", sample)
    assert not report.ok
    assert [e.row for e in report.sorted_errors()] == list(range(2, 24))
    assert {e.column for e in report.errors} == {"Company"}
    assert table_counts(hg_engine)["computer"] == 0


def test_location_names_the_agency_when_company_is_empty(
    hg_engine: Engine, sample: Path, tmp_path: Path
) -> None:
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    company = rows[0].index("Company")
    location = rows[0].index("Location")
    rows[1][company] = ""
    rows[1][location] = "Sở Thông tin và Truyền thông"
    path = write_csv(tmp_path / "loc.csv", rows[:2])
    assert do_import(hg_engine, "computers", path).ok
    assert computers(hg_engine)["ICC-2065556"].agency_id == agency_id(hg_engine, "STTTT")


def test_agency_option_assigns_an_agency_when_the_file_has_none(
    hg_engine: Engine, sample: Path, tmp_path: Path
) -> None:
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    drop = {rows[0].index("Company"), rows[0].index("Location")}
    path = write_csv(
        tmp_path / "no-agency.csv",
        [[c for n, c in enumerate(r) if n not in drop] for r in rows],
        encoding="utf-8-sig",
    )
    report = do_import(hg_engine, "computers", path, agency="STTTT")
    assert report.ok, report.lines()
    assert report.snipeit and report.counts.new == 22
    assert {c.agency_id for c in computers(hg_engine).values()} == {agency_id(hg_engine, "STTTT")}
