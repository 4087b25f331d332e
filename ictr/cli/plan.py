"""`ictr plan`: which computers to replace each year, what to buy new, and the cost."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from inventory.db import get_engine, session_scope
from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.lifecycle.plan import build_plan
from inventory.lifecycle.plan_output import plan_dict, plan_lines
from inventory.lifecycle.plan_xlsx import write_plan_xlsx
from inventory.lifecycle.policy import load_policy
from inventory.migrate import require_current_schema


def plan(
    start: int = typer.Option(..., "--from", help="First year of the plan, e.g. 2027."),
    years: int = typer.Option(5, "--years", help="How many years to plan."),
    budget: int | None = typer.Option(
        None, "--budget-per-year", help="Spending cap per year in VND; the rest moves on."
    ),
    district: str | None = typer.Option(
        None, "--district", help="Only this district (GSO code, e.g. 026; plans up to 2025)."
    ),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Only this commune of the two-level structure (unit key, e.g. 00691@2025; "
        "plans from 2026).",
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write the plan to FILE (.xlsx workbook or .json)."
    ),
    fmt: str = typer.Option("table", "--format", help="table or json (printed)."),
    by_agency: bool = typer.Option(False, "--by-agency", help="Table: add per-agency lines."),
    policy_file: Path | None = typer.Option(
        None, "--policy", help="Lifecycle policy TOML (default: data/lifecycle_policy.toml)."
    ),
) -> None:
    """Plan replacements year by year (backlog first), plus new computers to reach one
    computer per official; per year, area and agency counts and costs (the areas are the
    districts for a plan starting up to 2025, the communes from 2026: the structure in force
    on the plan's first day)."""
    if fmt not in ("table", "json"):
        raise IctrError(f"unknown --format {fmt!r}: choose table or json")
    # build_plan refuses a year outside 1980-2100 with its own message.
    two_level = 1980 <= start <= 2100 and "district" not in era_at(date(start, 1, 1)).levels
    if district is not None and two_level:
        raise IctrError(
            f"--district {district!r}: a plan from {start} follows the two-level structure "
            "(no districts since 1 July 2025): use --commune with a commune's key"
        )
    if commune is not None and not two_level:
        raise IctrError(
            f"--commune {commune!r}: a plan from {start} follows the 2020 structure, by "
            "district: use --district"
        )
    policy = load_policy(policy_file)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        result = build_plan(
            session, policy, start=start, years=years, budget=budget, district=district or commune
        )
    if output is not None:
        suffix = output.suffix.lower()
        if suffix == ".xlsx":
            write_plan_xlsx(result, output)
        elif suffix == ".json":
            output.write_text(
                json.dumps(plan_dict(result), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        else:
            raise IctrError(f"-o {output}: write a .xlsx or .json file")
    if fmt == "json":
        typer.echo(json.dumps(plan_dict(result), ensure_ascii=False))
    else:
        for line in plan_lines(result, by_agency=by_agency):
            typer.echo(line)
    if output is not None:
        typer.echo(f"plan written to {output}", err=fmt == "json")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
