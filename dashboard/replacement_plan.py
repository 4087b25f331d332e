"""The replacement plan for the Inventory page (`inventory.lifecycle`), and its XLSX workbook."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from inventory.lifecycle.plan import Plan, build_plan
from inventory.lifecycle.plan_output import budget_note, budget_note_vi, plan_dict
from inventory.lifecycle.plan_xlsx import write_plan_xlsx
from inventory.lifecycle.policy import load_policy


@dataclass(frozen=True)
class PlanView:
    years: pd.DataFrame  # year, replace, new, count, cost_vnd
    districts: pd.DataFrame  # year, code, name, replace, new, count, cost_vnd
    unfunded_count: int
    unfunded_cost: int
    budget_note_vi: str
    budget_note_en: str
    plan: Plan

    def xlsx(self) -> bytes:
        """The plan's workbook. Built when asked for (the page's download button calls it
        on a click), not on every run of the page: with the demo's 2020 and 2026 agencies it
        has about 11,000 rows and takes 6 s to write."""
        with tempfile.TemporaryDirectory(prefix="ictr-plan-") as folder:
            path = Path(folder) / "plan.xlsx"
            write_plan_xlsx(self.plan, path)
            return path.read_bytes()


def replacement_plan(
    session: Session, *, start: int, years: int, budget: int | None, district: str | None
) -> PlanView:
    """Build the plan with the lifecycle policy in force (its workbook: `PlanView.xlsx`)."""
    plan = build_plan(
        session, load_policy(), start=start, years=years, budget=budget, district=district
    )
    data = plan_dict(plan)
    year_rows = [
        {k: y[k] for k in ("year", "replace", "new", "count", "cost_vnd")} for y in data["plan"]
    ]
    district_rows = [{"year": y["year"], **d} for y in data["plan"] for d in y["by_district"]]
    return PlanView(
        years=pd.DataFrame(year_rows, columns=["year", "replace", "new", "count", "cost_vnd"]),
        districts=pd.DataFrame(
            district_rows,
            columns=["year", "code", "name", "replace", "new", "count", "cost_vnd"],
        ),
        unfunded_count=data["unfunded_after_plan"]["count"],
        unfunded_cost=data["unfunded_after_plan"]["cost_vnd"],
        budget_note_vi=budget_note_vi(plan),
        budget_note_en=budget_note(plan),
        plan=plan,
    )
