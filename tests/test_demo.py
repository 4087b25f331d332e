"""The synthetic demo: idempotent; December 2020 as published, by district; the same territory
in November 2026 inside Tuyên Quang, by commune; its probe history; its points up on loopback."""

import ipaddress
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.demo import load_demo
from inventory.errors import IctrError
from inventory.models import Agency, AgencyKind, AgencySuccession, Computer, ComputerStatus
from inventory.structure_at import StructureAt
from tests.conftest import PROJECT_ROOT, add_province, skip_or_fail

TABLES = [
    "admin_unit",
    "unit_correspondence",
    "agency",
    "agency_succession",
    "computer",
    "connection_point",
    "certificate",
    "service_figure",
    "probe_result",
    "meta",
]
LAST_DAY = date(2026, 11, 30)
# The README's demo paragraph lists the published December 2020 figures; each is found there
# by these patterns and must be what `ictr indicators` gives at 2020-12-31.
PUBLISHED = {
    "computers_per_official_pct": r"district People's Committees ([\d.]+) %",
    "internet_share_pct": r"computers on the internet ([\d.]+) %",
    "connection_points": r"(\d+) connection points",
    "procedures_level3_pct": r"procedures online ([\d.]+) % at level 3",
    "procedures_level4_pct": r"and ([\d.]+) % at level 4",
    "dossiers_on_time_pct": r"early or on time ([\d.]+) %",
    "procedures_cut_30_pct": r"more than 30 % ([\d.]+) %",
}
runner = CliRunner()


def scalar(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2")).all() for t in TABLES
        }


def indicators(*args: str) -> list[dict]:
    result = runner.invoke(app, ["indicators", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def readme_figures() -> dict[str, str]:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    found = {key: re.search(pattern, readme) for key, pattern in PUBLISHED.items()}
    missing = [key for key, match in found.items() if match is None]
    assert not missing, f"README's demo paragraph no longer lists {missing}"
    return {key: match.group(1) for key, match in found.items() if match is not None}


def test_loading_twice_gives_the_same_database(engine) -> None:
    with session_scope(engine) as session:
        first = load_demo(session)
    before = dump(engine)
    with session_scope(engine) as session:
        second = load_demo(session)
    assert first.changed > 80_000  # 2020, 2021-2026 and the probe history
    assert second.changed == 0
    assert dump(engine) == before


def test_2020_figures_are_the_published_ones(demo_engine) -> None:
    published = readme_figures()
    (province,) = indicators("--at", "2020-12-31", "--level", "province")
    assert province["code"] == "02"
    for key, value in published.items():
        shown = f"{province[key]:.0f}" if key == "connection_points" else f"{province[key]:.2f}"
        assert shown == value, key
    assert province["agencies_e_office_pct"] == 100.0
    assert province["agencies_one_stop_connected_pct"] == 100.0
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    certificates = re.search(r"([\d,]+) certificates", readme)
    assert certificates is not None
    issued_by_2020 = scalar(
        demo_engine, "SELECT COUNT(*) FROM certificate WHERE issued_on <= '2020-12-31'"
    )
    assert f"{issued_by_2020:,}" == certificates.group(1)


def test_2020_by_district_remote_highlands_less_equipped_than_the_city(demo_engine) -> None:
    districts = {d["code"]: d for d in indicators("--at", "2020-12-31", "--level", "district")}
    assert len(districts) == 11
    city = districts["024"]["commune_computers_per_official_pct"]
    for remote in ["026", "027", "032", "033"]:  # Đồng Văn, Mèo Vạc, Hoàng Su Phì, Xín Mần
        assert districts[remote]["commune_computers_per_official_pct"] < city * 0.85, remote
    ratios = {round(d["officials_per_computer"], 3) for d in districts.values()}
    assert len(ratios) == 11  # every district differs


def test_2026_by_commune_lists_tuyen_quangs_124_with_figures_for_former_ha_giang(
    demo_engine,
) -> None:
    communes = indicators("--at", "2026-12-01", "--level", "commune")
    assert len(communes) == 124
    assert all(c["code"].endswith("@2025") for c in communes)
    with_data = [c for c in communes if c["commune_computers_per_official_pct"] is not None]
    without = [c for c in communes if c["commune_computers_per_official_pct"] is None]
    assert len(with_data) == 73 and len(without) == 51
    # The former Tuyên Quang's 51: nothing counted there, no point, no figure.
    for c in without:
        assert not c["connection_points"], c["code"]
        assert c["procedures_level4_pct"] is None and c["internet_share_pct"] is None
    with Session(demo_engine) as session:
        structure = StructureAt.load(session, at=LAST_DAY)
        hosts = {structure.unit_of_agency(a.id) for a in session.exec(select(Agency)).all()}
    assert {c["code"] for c in without}.isdisjoint(hosts)
    # Every point counts in one of the 73.
    assert sum(c["connection_points"] for c in with_data) == 73


def test_2026_commune_committees_succeed_the_districts_and_communes(demo_engine) -> None:
    with Session(demo_engine) as session:
        agencies = {a.code: a for a in session.exec(select(Agency)).all()}
        successions = {s.agency_id: s for s in session.exec(select(AgencySuccession)).all()}
        structure = StructureAt.load(session, at=LAST_DAY)
    committees = [
        a
        for a in agencies.values()
        if a.kind == AgencyKind.commune_committee and a.valid_from == date(2025, 7, 1)
    ]
    assert len(committees) == 73
    assert all(a.unit_code.endswith("@2025") and a.valid_to is None for a in committees)
    committee_ids = {a.id for a in committees}
    for a in agencies.values():
        if a.kind in (AgencyKind.commune_committee, AgencyKind.district_committee) and (
            a.valid_from is None
        ):
            succession = successions[a.id]
            assert succession.succeeded_on == date(2025, 7, 1), a.code
            assert a.valid_to == date(2025, 6, 30), a.code
            assert succession.successor_id in committee_ids, a.code
    # Sở Thông tin và Truyền thông: into Sở Khoa học và Công nghệ on 1 March 2025, which went
    # into today's Tuyên Quang department on 1 July.
    information = next(a for a in agencies.values() if a.name == "Sở Thông tin và Truyền thông")
    science = next(
        a for a in agencies.values()
        if a.name == "Sở Khoa học và Công nghệ" and a.unit_code == "02"
    )  # fmt: skip
    assert successions[information.id].successor_id == science.id
    assert successions[information.id].succeeded_on == date(2025, 3, 1)
    by_id = {a.id: a for a in agencies.values()}
    holder = by_id[structure.holder_of_agency(information.id)]
    assert holder.name == "Sở Khoa học và Công nghệ" and holder.unit_code == "08@2025"


def test_computers_bought_2021_to_2026_replace_old_ones(demo_engine) -> None:
    with Session(demo_engine) as session:
        computers = session.exec(select(Computer)).all()
    bought = [c for c in computers if c.purchase_date and c.purchase_date.year > 2020]
    assert {c.purchase_year for c in bought} == {2021, 2022, 2023, 2024, 2025, 2026}
    assert max(c.purchase_date for c in bought if c.purchase_date) <= LAST_DAY
    retired = [c for c in computers if c.retired_on is not None]
    assert all(c.status == ComputerStatus.retired for c in retired)
    assert all(date(2021, 1, 1) <= c.retired_on <= LAST_DAY for c in retired if c.retired_on)
    # The plan's money went to replacements: about one machine retired per machine bought.
    assert abs(len(retired) - len(bought)) < len(bought) * 0.05
    of_2020 = [c.purchase_year for c in computers if c.purchase_year and c.purchase_year <= 2020]
    assert min(of_2020) == 2008 and sum(y <= 2015 for y in of_2020) > len(of_2020) / 2
    in_use = [c for c in computers if c.status == ComputerStatus.in_use]
    assert sum(1 for c in in_use if (c.purchase_year or 2026) <= 2015) < len(in_use) * 0.05


def test_windows_10_end_of_support_is_visible(demo_engine) -> None:
    with Session(demo_engine) as session:
        windows_10 = session.exec(
            select(Computer).where(
                col(Computer.os).like("Windows 10%"), Computer.status == ComputerStatus.in_use
            )
        ).all()
    assert len(windows_10) > 1000
    assert any(c.purchase_year and c.purchase_year >= 2021 for c in windows_10)
    (before,) = indicators("--at", "2025-10-13", "--level", "province")
    (after,) = indicators("--at", "2025-10-15", "--level", "province")
    assert before["supported_os_pct"] - after["supported_os_pct"] > 20


def test_online_services_grew_by_2026(demo_engine) -> None:
    (in_2020,) = indicators("--at", "2020-12-31", "--level", "province")
    (in_2026,) = indicators("--at", "2026-12-01", "--level", "province")
    assert in_2026["code"] == "08@2025"
    assert in_2026["procedures_level4_pct"] > 2 * in_2020["procedures_level4_pct"]
    assert in_2026["dossiers_online_pct"] > in_2020["dossiers_online_pct"]
    assert in_2026["dossiers_on_time_pct"] > in_2020["dossiers_on_time_pct"]
    assert in_2026["within_service_life_pct"] > in_2020["within_service_life_pct"]


def test_probe_history_covers_the_30_days_before_the_last_round(demo_engine) -> None:
    last = datetime(2026, 11, 30, 16, 55, tzinfo=UTC)  # 23:55 in Asia/Ho_Chi_Minh
    with demo_engine.connect() as connection:
        first_round, last_round, rounds, points, silent = connection.execute(
            text(
                "SELECT MIN(started_at), MAX(started_at), COUNT(DISTINCT started_at),"
                " COUNT(DISTINCT point_id), SUM(CASE WHEN received = 0 THEN 1 ELSE 0 END)"
                " FROM probe_result"
            )
        ).one()
        incidents = connection.execute(text("SELECT COUNT(*) FROM incident")).scalar_one()
    as_utc = [
        value if isinstance(value, datetime) else datetime.fromisoformat(value)
        for value in (first_round, last_round)
    ]
    as_utc = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in as_utc]
    assert as_utc[1] == last
    assert last - as_utc[0] == timedelta(days=30) - timedelta(hours=1)
    assert rounds == 30 * 24 and points == 73
    assert silent == 0 and incidents == 0  # no outage is made up
    span = scalar(demo_engine, "SELECT value FROM meta WHERE key = 'demo_probe_history'")
    assert span.endswith(last.isoformat())


def test_probe_addresses_are_loopback_only(demo_engine) -> None:
    with demo_engine.connect() as connection:
        addresses = connection.execute(text("SELECT address FROM connection_point")).scalars()
        for address in addresses:
            assert ipaddress.ip_address(address).is_loopback, address


@pytest.mark.sqlite_only  # a fresh network namespace has no route to a PostgreSQL server
def test_live_round_in_a_network_namespace_shows_every_point_up(
    require_root, demo_engine, db_url: str, tmp_path: Path
) -> None:
    """In a namespace of its own nothing listens on loopback: what the demo's points answer
    there is all they can answer anywhere."""
    ictr = str(Path(sys.executable).with_name("ictr"))
    command = (
        f"ip link set lo up && exec {ictr} probe run --json --count 1 --spacing 0"
        f" --timeout 0.5 --pps 1000 --spool {tmp_path / 'spool.jsonl'}"
    )
    try:
        done = subprocess.run(
            ["unshare", "--net", "sh", "-c", command],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "ICTR_DATABASE_URL": db_url},
            check=False,
        )
    except FileNotFoundError:
        skip_or_fail("needs the 'unshare' command (util-linux)")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(report["points"]) == 73
    assert {p["status"] for p in report["points"]} == {"up"}
    assert {m["method"] for p in report["points"] for m in p["methods"]} == {"icmp"}


def test_dataset_is_marked_synthetic(demo_engine) -> None:
    assert scalar(demo_engine, "SELECT value FROM meta WHERE key = 'dataset'").startswith(
        "synthetic-demo"
    )
    notes = scalar(
        demo_engine, "SELECT COUNT(*) FROM computer WHERE notes <> 'Dữ liệu mô phỏng (synthetic)'"
    )
    assert notes == 0


def test_demo_refuses_a_database_with_real_data(engine) -> None:
    with Session(engine) as session:
        add_province(session)
        session.add(Agency(name="Sở Y tế", kind=AgencyKind.provincial, unit_code="02"))
        session.commit()
    with pytest.raises(IctrError, match="non-demo data"), session_scope(engine) as session:
        load_demo(session)
    assert scalar(engine, "SELECT COUNT(*) FROM computer") == 0
