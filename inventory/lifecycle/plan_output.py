"""The plan as JSON-ready data and as a plain-text table for the terminal."""

from __future__ import annotations

from typing import Any

from inventory.lifecycle.plan import REASON_TEXT, Plan, PlanItem, Totals, YearPlan


def _totals(t: Totals) -> dict[str, int]:
    return {"replace": t.replace, "new": t.new, "count": t.count, "cost_vnd": t.cost}


def _sum(items: list[PlanItem]) -> dict[str, int]:
    return {"count": len(items), "cost_vnd": sum(i.cost for i in items)}


def item_dict(item: PlanItem) -> dict[str, Any]:
    return {
        "action": item.action,
        "asset_tag": item.asset_tag,
        "agency": item.agency.name,
        "agency_code": item.agency.code,
        "district": item.agency.district,
        "kind": item.kind.value,
        "os": item.os,
        "purchase_year": item.purchase_year,
        "due_year": item.due_year,
        "overdue": item.overdue,
        "reasons": item.reasons,
        "reason_text": "; ".join(item.details),
        "cost_vnd": item.cost,
        "planned_for": item.planned_for,
        "carried_from": item.planned_for if item.carried else None,
    }


def budget_note(plan: Plan) -> str:
    if plan.budget is None:
        return "no budget cap: every computer due is planned in the year it falls due"
    return (
        f"budget {plan.budget:,} VND per year: items are funded in priority order until the "
        "next one does not fit; the rest moves to the next year, ahead of that year's own "
        "items; unused budget is not carried over"
    )


def budget_note_vi(plan: Plan) -> str:
    if plan.budget is None:
        return "Không giới hạn kinh phí: máy đến hạn được bố trí ngay trong năm đến hạn"
    return (
        f"Kinh phí tối đa {plan.budget:,} VNĐ/năm: bố trí theo thứ tự ưu tiên đến khi hết "
        "kinh phí; phần còn lại chuyển sang năm sau và được ưu tiên trước; kinh phí chưa dùng "
        "không được chuyển sang năm sau"
    )


def plan_dict(plan: Plan) -> dict[str, Any]:
    def year_dict(y: YearPlan) -> dict[str, Any]:
        return {
            "year": y.year,
            **_totals(y.totals),
            "moved_to_next_year": _sum(y.moved_on),
            "by_district": [
                {"code": code, "name": plan.district_names.get(code, code), **_totals(t)}
                for code, t in sorted(y.by_district.items())
            ],
            "by_agency": [
                {
                    "agency": agency.name,
                    "agency_code": agency.code,
                    "district": agency.district,
                    **_totals(y.by_agency[agency.id]),
                }
                for agency in sorted(
                    {i.agency.id: i.agency for i in y.items}.values(),
                    key=lambda a: (a.district, a.name),
                )
            ],
            "items": [item_dict(i) for i in y.items],
        }

    return {
        "from": plan.start,
        "years": plan.years,
        "budget_per_year_vnd": plan.budget,
        "district": plan.district,
        # What by_district and each item's "district" hold: districts (a plan starting up to
        # 2025) or the communes of the two-level structure (from 2026).
        "grouping": plan.grouping,
        "budget_note": budget_note(plan),
        "computers_considered": plan.computers,
        "age_unknown": plan.age_unknown,
        "age_unknown_planned": plan.policy.age_unknown_due,
        "os_upgrade_needed": plan.os_upgrade_needed,
        "due_after_plan": plan.later,
        "total": _totals(plan.total),
        "plan": [year_dict(y) for y in plan.plan_years],
        "unfunded_after_plan": _sum(plan.unfunded),
        "over_yearly_budget": [item_dict(i) for i in plan.too_dear],
        "reasons": REASON_TEXT,
    }


def plan_lines(plan: Plan, *, by_agency: bool = False) -> list[str]:
    last = plan.start + plan.years - 1
    where = f"{plan.grouping} {plan.district}" if plan.district else f"all {plan.grouping}s"
    out = [
        f"Replacement plan {plan.start}-{last} ({plan.years} years), {where}",
        budget_note(plan),
        f"computers considered {plan.computers:,} (retired left out); "
        f"age unknown {plan.age_unknown:,}"
        + (" (planned with the backlog)" if plan.policy.age_unknown_due else " (not planned)")
        + f"; OS out of support but upgradable {plan.os_upgrade_needed:,}; "
        f"due after {last}: {plan.later:,}",
        "",
        f"{'year':>6} {'replace':>8} {'new':>6} {'total':>7} {'cost (VND)':>18} "
        f"{'moved to next year':>26}",
    ]
    for y in plan.plan_years:
        moved = _sum(y.moved_on)
        moved_text = f"{moved['count']:,} / {moved['cost_vnd']:,}" if moved["count"] else "-"
        out.append(
            f"{y.year:>6} {y.totals.replace:>8,} {y.totals.new:>6,} {y.totals.count:>7,} "
            f"{y.totals.cost:>18,} {moved_text:>26}"
        )
    t = plan.total
    out.append(f"{'total':>6} {t.replace:>8,} {t.new:>6,} {t.count:>7,} {t.cost:>18,}")
    if plan.unfunded:
        s = _sum(plan.unfunded)
        out.append(f"still unfunded after {last}: {s['count']:,} computers, {s['cost_vnd']:,} VND")
    if plan.too_dear:
        s = _sum(plan.too_dear)
        out.append(
            f"dearer than a whole year's budget, never planned: {s['count']:,} items, "
            f"{s['cost_vnd']:,} VND"
        )
    for y in plan.plan_years:
        if not y.items:
            continue
        out += ["", f"{y.year} by {plan.grouping} (computers, cost VND):"]
        width = 4 if plan.grouping == "district" else 10
        for code, d in sorted(y.by_district.items()):
            name = plan.district_names.get(code, code)
            out.append(f"  {code:<{width}} {name:<28} {d.count:>7,} {d.cost:>18,}")
        if by_agency:
            out.append(f"{y.year} by agency:")
            agencies = {i.agency.id: i.agency for i in y.items}
            for agency in sorted(agencies.values(), key=lambda a: (a.district, a.name)):
                a = y.by_agency[agency.id]
                out.append(
                    f"  {agency.district:<{width}} {agency.name:<40} {a.count:>7,} {a.cost:>18,}"
                )
    return out
