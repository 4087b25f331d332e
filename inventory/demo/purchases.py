"""The computers of 2021-2026 in the synthetic demo: bought each year as that year's
replacement plan (inventory.lifecycle.plan, with the shipped policy) funds them.

Each January the plan is made over the machines in service and the agencies holding them
then, within the year's budget; each funded item is bought on a day of that year, for the
agency holding the planned one's records on that day (a district committee's purchase after
1 July 2025 goes to its successor). The machine it replaces leaves service a few days later
(status retired, `retired_on`). 2020's spare and broken machines are left as they were: a
status without a date would rewrite the 2020 picture.

Until Windows 11 (October 2021) and for a while after it, new machines came with Windows 10;
those still in service show its end of support (14 October 2025) in 2026.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from inventory.demo import names, targets
from inventory.demo.agencies_2025 import holder_at
from inventory.lifecycle.plan import AgencyInfo, plan_inventory
from inventory.lifecycle.policy import Policy
from inventory.models import ComputerKind, ComputerStatus

# VND a year for computers: enough for about 1,300 desktops; the backlog of 2020 is larger,
# so the oldest machines go first and some of 2016-2020's stay in service into 2026.
BUDGET_VND = {
    2021: 16_000_000_000,
    2022: 18_000_000_000,
    2023: 18_000_000_000,
    2024: 20_000_000_000,
    2025: 20_000_000_000,
    2026: 22_000_000_000,
}
# Share of new desktops and laptops that came with Windows 10, by year bought.
WINDOWS_10_SHARE = {2021: 0.85, 2022: 0.45, 2023: 0.15, 2024: 0.0, 2025: 0.0, 2026: 0.0}


def buy_by_plan(
    rng: random.Random,
    policy: Policy,
    *,
    agencies: list[dict[str, Any]],
    computers: list[dict[str, Any]],
    successors: dict[str, tuple[str, date]],
) -> list[dict[str, Any]]:
    """The computers bought 2021-2026; retires (in `computers`) those they replace."""
    by_code = {a["code"]: a for a in agencies}
    ids = {a["code"]: n for n, a in enumerate(agencies, start=1)}
    codes = {n: code for code, n in ids.items()}
    by_tag = {c["asset_tag"]: c for c in computers}
    bought: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}
    for year, budget in BUDGET_VND.items():
        january = date(year, 1, 1)
        holders = {a["code"]: holder_at(a["code"], january, successors) for a in agencies}
        infos = {
            ids[code]: AgencyInfo(ids[code], code, a["name"], a["unit_code"], a["officials"])
            for code, a in by_code.items()
            if holders[code] == code and (a.get("valid_from") or january) <= january
        }
        rows = [
            (c["asset_tag"], c["kind"], c["os"], c["purchase_year"], c["purchase_date"],
             c["status"], c["os_upgrade_blocker"], ids[holders[c["agency_code"]]])
            for c in (*computers, *bought)
            if c["status"] == ComputerStatus.in_use
        ]  # fmt: skip
        plan = plan_inventory(
            infos, rows, {}, policy, start=year, years=1, budget=budget, district=None
        )
        last = min(date(year, 12, 31), targets.LAST_DAY)
        for item in plan.plan_years[0].items:
            day = january + timedelta(days=rng.randint(0, (last - january).days))
            holder = holder_at(codes[item.agency.id], day, successors)
            numbers[holder] = numbers.get(holder, 0) + 1
            machine = _new_computer(rng, policy, holder, numbers[holder], item.kind, day)
            bought.append(machine)
            if item.asset_tag is not None:
                old = by_tag.get(item.asset_tag) or next(
                    c for c in bought if c["asset_tag"] == item.asset_tag
                )
                old["status"] = ComputerStatus.retired
                old["retired_on"] = min(day + timedelta(days=rng.randint(1, 20)), last)
        by_tag.update((c["asset_tag"], c) for c in bought)
    return bought


def _new_computer(
    rng: random.Random, policy: Policy, agency_code: str, n: int, kind: ComputerKind, day: date
) -> dict[str, Any]:
    year = day.year
    models = {
        ComputerKind.server: names.SERVER_MODELS_2021,
        ComputerKind.laptop: names.LAPTOP_MODELS_2021,
    }.get(kind, names.DESKTOP_MODELS_2021)
    fitting = [m for m in models if m[2] <= year <= m[3]] or list(models)
    manufacturer, model, _, _ = rng.choice(fitting)
    if kind == ComputerKind.server:
        os_name = "Ubuntu Server 22.04" if rng.random() < 0.5 else "Windows Server 2022"
        cpu = "Intel Xeon Silver 4310"
    else:
        os_name = "Windows 10 Pro" if rng.random() < WINDOWS_10_SHARE[year] else "Windows 11 Pro"
        cpu = "Intel Core i5-10500" if year <= 2022 else "Intel Core i5-13500"
    return dict(
        asset_tag=f"{agency_code}-{year}-{n:04d}",
        serial=f"SN{rng.getrandbits(40):010X}",
        kind=kind,
        manufacturer=manufacturer,
        model=model,
        cpu=cpu,
        ram_gb=float(32 if kind == ComputerKind.server else 8 if year <= 2022 else 16),
        os=os_name,
        purchase_year=year,
        purchase_date=day,
        purchase_cost=float(policy.cost_vnd[kind] * rng.uniform(0.9, 1.05) // 100_000 * 100_000),
        agency_code=agency_code,
        internet=rng.random() < 0.97,
        status=ComputerStatus.in_use,
        retired_on=None,
        last_audit=targets.LAST_DAY - timedelta(days=rng.randint(0, 60)),
        os_upgrade_blocker=None,
        notes="Dữ liệu mô phỏng (synthetic)",
    )
