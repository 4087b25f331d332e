"""The replacement plan on a small inventory built by hand, with the numbers worked out here.

Policy for these tests: desktop 5 years / 10 M VND, laptop 4 / 20 M, server 6 / 100 M.
Plan 2027-2029. Agencies: A = UBND xã Lũng Cú (district 026, 4 officials),
B = UBND huyện Đồng Văn (026, 3 officials), C = Sở TT&TT (province level, 2 officials).

  tag kind    bought      status   OS (blocker)         due because           group
  a1  desktop 2018        in use   Windows 10           life ended 2023       backlog
  a2  desktop 2024        broken                        broken                backlog
  a3  laptop  2024-05-01  in use                        life ends 2028        2028
  a4  desktop 2010        retired                       left out              -
  b1  desktop 2023        in use                        life ends 2028        2028
  b2  desktop unknown     in use                        age unknown           backlog
  b3  desktop 2022        in use   Windows 7 (old CPU)  OS ended 2020         backlog
  b4  desktop 2022        in use   Windows 10           life ends 2027        2027
  b5  desktop 2024        in use   Windows 10           life ends 2029        2029 (OS upgrade)
  c1  server  2021        in use                        life ends 2027        2027
  c2  laptop  2026        in use                        life ends 2030        after the plan

Computers for officials (not servers, not retired): A 3 for 4 (needs 1, ratio 0.75),
B 5 for 3, C 1 for 2 (needs 1, ratio 0.5): two new desktops, C's first (lower ratio).

Order in 2027: backlog by (broken, OS, oldest year, agency below ratio): a2 (broken),
b3 (OS), b2 (unknown age counts as oldest), a1 (2018); then new C, new A; then 2027's own:
c1 (2021) before b4 (2022). 2028: b1 (2023) before a3 (2024). 2029: b5.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.admin_units import load_units
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.lifecycle.plan import Plan, build_plan
from inventory.lifecycle.plan_output import plan_dict
from inventory.lifecycle.policy import Policy
from inventory.models import Agency, AgencyKind, Computer, ComputerKind, ComputerStatus

M = 1_000_000
POLICY = Policy(
    service_life={
        ComputerKind.desktop: 5,
        ComputerKind.laptop: 4,
        ComputerKind.server: 6,
        ComputerKind.other: 5,
    },
    cost_vnd={
        ComputerKind.desktop: 10 * M,
        ComputerKind.laptop: 20 * M,
        ComputerKind.server: 100 * M,
        ComputerKind.other: 10 * M,
    },
)
D, L, S = ComputerKind.desktop, ComputerKind.laptop, ComputerKind.server
USE, BROKEN, RETIRED = ComputerStatus.in_use, ComputerStatus.broken, ComputerStatus.retired

# tag: (agency, kind, year, date, status, os, blocker)
INVENTORY = {
    "a1": ("A", D, 2018, None, USE, "Windows 10", None),
    "a2": ("A", D, 2024, None, BROKEN, None, None),
    "a3": ("A", L, 2024, date(2024, 5, 1), USE, None, None),
    "a4": ("A", D, 2010, None, RETIRED, None, None),
    "b1": ("B", D, 2023, None, USE, None, None),
    "b2": ("B", D, None, None, USE, None, None),
    "b3": ("B", D, 2022, None, USE, "Windows 7 Professional", "CPU cũ"),
    "b4": ("B", D, 2022, None, USE, "Windows 10", None),
    "b5": ("B", D, 2024, None, USE, "Windows 10 Pro", None),
    "c1": ("C", S, 2021, None, USE, "Windows Server 2019", None),
    "c2": ("C", L, 2026, None, USE, None, None),
}
AGENCIES = {
    "A": ("UBND xã Lũng Cú", AgencyKind.commune_committee, "00715", 4),
    "B": ("UBND huyện Đồng Văn", AgencyKind.district_committee, "026", 3),
    "C": ("Sở Thông tin và Truyền thông", AgencyKind.provincial, "02", 2),
}


def _build(engine: Engine, inventory: dict[str, tuple], agencies: dict[str, tuple]) -> Engine:
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        ids = {}
        for code, (name, kind, unit, officials) in agencies.items():
            agency = Agency(code=code, name=name, kind=kind, unit_code=unit, officials=officials)
            session.add(agency)
            session.flush()
            ids[code] = agency.id
        for tag, (agency, kind, year, day, status, os_name, blocker) in inventory.items():
            session.add(
                Computer(
                    asset_tag=tag,
                    kind=kind,
                    purchase_year=year,
                    purchase_date=day,
                    status=status,
                    os=os_name,
                    os_upgrade_blocker=blocker,
                    agency_id=ids[agency],
                )
            )
    return engine


@pytest.fixture
def small(engine: Engine) -> Engine:
    return _build(engine, INVENTORY, AGENCIES)


def _plan(engine: Engine, **kwargs: object) -> Plan:
    with session_scope(engine) as session:
        return build_plan(session, POLICY, start=2027, years=3, **kwargs)  # type: ignore[arg-type]


def _order(plan: Plan, year: int) -> list[str]:
    y = next(p for p in plan.plan_years if p.year == year)
    return [i.asset_tag or f"new {i.agency.code}" for i in y.items]


def test_plan_without_budget(small: Engine) -> None:
    plan = _plan(small)
    assert _order(plan, 2027) == ["a2", "b3", "b2", "a1", "new C", "new A", "c1", "b4"]
    assert _order(plan, 2028) == ["b1", "a3"]
    assert _order(plan, 2029) == ["b5"]
    totals = [(y.year, y.totals.replace, y.totals.new, y.totals.cost) for y in plan.plan_years]
    assert totals == [
        (2027, 6, 2, 4 * 10 * M + 2 * 10 * M + 100 * M + 10 * M),  # 170 M
        (2028, 2, 0, 10 * M + 20 * M),
        (2029, 1, 0, 10 * M),
    ]
    assert (plan.total.count, plan.total.cost) == (11, 210 * M)
    assert (plan.computers, plan.age_unknown, plan.later, plan.os_upgrade_needed) == (10, 1, 1, 1)
    first = plan.plan_years[0]
    by_district = {k: (t.replace, t.new, t.cost) for k, t in first.by_district.items()}
    # A plan from 2027 follows the two-level structure: Lũng Cú's 2025 commune, the province;
    # the district committee B, with no successor recorded, in no area ("?", unresolved).
    assert plan.grouping == "commune"
    assert by_district == {
        "00715@2025": (2, 1, 30 * M),
        "08@2025": (1, 1, 110 * M),
        "?": (3, 0, 30 * M),
    }
    by_agency = {
        plan_item.agency.code: first.by_agency[plan_item.agency.id] for plan_item in first.items
    }
    assert {k: (t.replace, t.new, t.cost) for k, t in by_agency.items()} == {
        "A": (2, 1, 30 * M),
        "B": (3, 0, 30 * M),
        "C": (1, 1, 110 * M),
    }
    items = {i.asset_tag: i for i in first.items if i.asset_tag}
    # b3's OS made it due in 2020; by 2027 its service life has ended too.
    assert items["b3"].reasons == ["end_of_life", "os_unsupported"]
    assert items["b3"].due_year == 2020
    assert "Windows 7 hết hỗ trợ từ 14/01/2020, không nâng cấp được: CPU cũ" in items["b3"].details
    assert items["b2"].reasons == ["age_unknown"] and items["b2"].overdue
    assert items["a2"].reasons == ["broken"]
    assert items["a1"].reasons == ["end_of_life"] and items["a1"].due_year == 2023
    assert not items["c1"].overdue and items["c1"].due_year == 2027
    assert plan.unfunded == [] and plan.too_dear == []


def test_budget_cap_moves_what_does_not_fit_to_the_next_year(small: Engine) -> None:
    plan = _plan(small, budget=45 * M)
    # c1 (100 M) can never fit in 45 M a year: listed apart, it does not block the queue.
    assert [i.asset_tag for i in plan.too_dear] == ["c1"]
    # 2027: a2+b3+b2+a1 = 40 M; new C (10 M) would make 50 M: it and all after it move on.
    assert _order(plan, 2027) == ["a2", "b3", "b2", "a1"]
    first = plan.plan_years[0]
    assert [i.asset_tag or f"new {i.agency.code}" for i in first.moved_on] == [
        "new C",
        "new A",
        "b4",
    ]
    # 2028: the 30 M carried first, then b1 (40 M); a3 (20 M) would make 60 M.
    assert _order(plan, 2028) == ["new C", "new A", "b4", "b1"]
    assert [i.asset_tag for i in plan.plan_years[1].moved_on] == ["a3"]
    assert _order(plan, 2029) == ["a3", "b5"]
    assert [(y.year, y.totals.cost) for y in plan.plan_years] == [
        (2027, 40 * M),
        (2028, 40 * M),
        (2029, 30 * M),
    ]
    carried = [(i.asset_tag, i.planned_for, i.year) for y in plan.plan_years for i in y.items]
    assert ("a3", 2028, 2029) in carried and ("b4", 2027, 2028) in carried
    assert plan.unfunded == []
    data = plan_dict(plan)
    assert data["plan"][0]["moved_to_next_year"] == {"count": 3, "cost_vnd": 30 * M}
    assert "unused budget is not carried over" in data["budget_note"]
    new_c = next(i for i in data["plan"][1]["items"] if i["action"] == "new")
    assert new_c["carried_from"] == 2027


def test_budget_left_unfunded_after_the_last_year(small: Engine) -> None:
    plan = _plan(small, budget=20 * M)
    assert [(y.year, y.totals.cost) for y in plan.plan_years] == [
        (2027, 20 * M),
        (2028, 20 * M),
        (2029, 20 * M),
    ]
    waiting = sum(i.cost for i in plan.unfunded)
    # 170 M + 30 M + 10 M due, minus c1 (too dear, 100 M), minus 60 M funded.
    assert waiting == 210 * M - 100 * M - 60 * M


def test_district_filter(small: Engine) -> None:
    with session_scope(small) as session:  # a plan from 2025 follows the 2020 structure
        plan = build_plan(session, POLICY, start=2025, years=1, district="026")
        assert plan.grouping == "district"
        assert set(plan.plan_years[0].by_district) == {"026"}
        with pytest.raises(IctrError, match="--district '00715' is not a district code"):
            build_plan(session, POLICY, start=2025, years=1, district="00715")
    plan = _plan(small, district="00715@2025")  # from 2027, a commune of the 2025 structure
    assert _order(plan, 2027) == ["a2", "a1", "new A"]
    assert plan.total.cost == 30 * M + 20 * M
    with pytest.raises(IctrError, match="--commune '026' is not a commune"):
        _plan(small, district="026")


def test_replacements_bought_in_the_plan_fall_due_again(engine: Engine) -> None:
    _build(
        engine,
        {"c2": ("C", L, 2023, None, USE, None, None)},  # laptop: 4 years, due 2027
        {"C": ("Sở Thông tin và Truyền thông", AgencyKind.provincial, "02", 1)},
    )
    with session_scope(engine) as session:
        plan = build_plan(session, POLICY, start=2027, years=5)
    assert [(y.year, [i.asset_tag for i in y.items]) for y in plan.plan_years if y.items] == [
        (2027, ["c2"]),
        (2031, ["c2 (mua 2027)"]),
    ]
    assert plan.plan_years[-1].items[0].reasons == ["replacement_end_of_life"]


def test_age_unknown_can_be_listed_without_planning(small: Engine) -> None:
    policy = Policy(
        service_life=POLICY.service_life, cost_vnd=POLICY.cost_vnd, age_unknown_due=False
    )
    with session_scope(small) as session:
        plan = build_plan(session, policy, start=2027, years=3)
    assert "b2" not in _order(plan, 2027)
    assert plan.age_unknown == 1


def test_cli_plan_json_and_xlsx(small: Engine, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[service_life_years]\ndesktop = 5\nlaptop = 4\nserver = 6\n"
        "[replacement_cost_vnd]\ndesktop = 10_000_000\nlaptop = 20_000_000\n"
        "server = 100_000_000\n"
    )
    runner = CliRunner()
    args = ["plan", "--from", "2027", "--years", "3", "--policy", str(policy)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == {"replace": 9, "new": 2, "count": 11, "cost_vnd": 210 * M}
    assert [y["cost_vnd"] for y in data["plan"]] == [170 * M, 30 * M, 10 * M]

    out = tmp_path / "plan.xlsx"
    result = runner.invoke(app, [*args, "--budget-per-year", str(45 * M), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "did not fit" not in result.output and "2027" in result.output
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["Tổng hợp", "Năm 2027", "Năm 2028", "Năm 2029"]
    summary = [r for r in workbook["Tổng hợp"].iter_rows(values_only=True)]
    header = summary.index(
        (
            "Năm",
            "Số máy thay thế",
            "Số máy mua mới",
            "Tổng số máy",
            "Kinh phí (VNĐ)",
            "Chuyển sang năm sau (máy)",
            "Chuyển sang năm sau (VNĐ)",
        )
    )
    assert summary[header + 1] == (2027, 4, 0, 4, 40 * M, 3, 30 * M)
    year = list(workbook["Năm 2028"].iter_rows(values_only=True))
    assert year[0][:4] == ("STT", "Hình thức", "Mã tài sản", "Cơ quan")
    assert year[1][1] == "Mua mới" and "Chuyển từ năm 2027" in year[1][-1]

    result = runner.invoke(app, ["plan", "--from", "2027", "--format", "pdf"])
    assert result.exit_code == 2 and "unknown --format 'pdf'" in result.output
