"""The replacement plan: which computers to replace in which year, what to buy new, at
what cost, by district and by agency, within an optional yearly budget.

Rules (docs/plan.md tells users the same):
- A computer is due when it is broken, past its service life, or its OS is out of support
  and cannot be upgraded; one whose purchase year is unknown is "age unknown" and, by policy,
  due at once. Retired computers are left out.
- Year one starts with the backlog (due before the plan starts), then the new computers that
  bring each agency to one computer per official, then what falls due that year.
- Within each group: broken first, then unsupported OS, then oldest purchase year, then
  agencies below one computer per official, then purchase date and asset tag.
- With a budget, the list is funded in that order until the next item does not fit; the rest
  moves to the next year, ahead of that year's own items. Unused budget is not carried over.
  An item dearer than a whole year's budget can never fit and is listed apart.
- A replacement bought during the plan falls due again after its service life.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.lifecycle.in_service import not_retired_by
from inventory.lifecycle.policy import Policy
from inventory.models import AdminUnit, Agency, Computer, ComputerKind, ComputerStatus, UnitLevel
from inventory.structure_at import StructureAt

USER_KINDS = (ComputerKind.desktop, ComputerKind.laptop, ComputerKind.other)

# The area of an agency held by no one on the plan's first day: dissolved with no successor
# recorded, or of a dissolved district (`ictr units unresolved` lists them).
UNRESOLVED = "?"
UNRESOLVED_NAME = "Chưa xác định: cơ quan không còn, chưa có cơ quan kế thừa"

REASON_TEXT = {
    "broken": "Hỏng",
    "end_of_life": "Hết niên hạn sử dụng",
    "os_unsupported": "Hệ điều hành hết hỗ trợ, không nâng cấp được",
    "age_unknown": "Không rõ năm mua (tuổi máy không rõ)",
    "replacement_end_of_life": "Máy thay thế hết niên hạn",
    "new_for_officials": "Bổ sung để đạt 1 máy/CBCCVC",
}


@dataclass
class AgencyInfo:
    id: int
    code: str | None
    name: str
    # Its area: district code (2020 structure) or commune key (2025 structure), or the
    # province's key for provincial agencies.
    district: str
    officials: int
    user_computers: int = 0

    @property
    def below_ratio(self) -> bool:
        return self.officials > 0 and self.user_computers < self.officials


@dataclass(slots=True)
class PlanItem:
    action: str  # "replace" or "new"
    agency: AgencyInfo
    kind: ComputerKind
    cost: int
    reasons: list[str]
    details: list[str]
    due_year: int | None  # end of service life or of OS support (None: broken/age unknown)
    asset_tag: str | None = None
    os: str | None = None
    purchase_year: int | None = None
    purchase_date: date | None = None
    broken: bool = False
    os_blocked: bool = False
    overdue: bool = False  # due before the plan starts: the backlog
    planned_for: int = 0  # the year it was first planned for
    year: int | None = None  # the year it is funded

    @property
    def carried(self) -> bool:
        return self.year is not None and self.year != self.planned_for

    def sort_key(self) -> tuple[Any, ...]:
        return (
            not self.broken,
            not self.os_blocked,
            self.purchase_year or 0,  # unknown age sorts as oldest: never counted as new
            not self.agency.below_ratio,
            self.purchase_date or date.min,
            self.asset_tag or "",
        )


@dataclass
class Totals:
    replace: int = 0
    new: int = 0
    cost: int = 0

    @property
    def count(self) -> int:
        return self.replace + self.new

    def add(self, item: PlanItem) -> None:
        if item.action == "new":
            self.new += 1
        else:
            self.replace += 1
        self.cost += item.cost


@dataclass
class YearPlan:
    year: int
    items: list[PlanItem] = field(default_factory=list)
    moved_on: list[PlanItem] = field(default_factory=list)  # did not fit, go to next year
    totals: Totals = field(default_factory=Totals)
    by_district: dict[str, Totals] = field(default_factory=dict)
    by_agency: dict[int, Totals] = field(default_factory=dict)


@dataclass
class Plan:
    start: int
    years: int
    budget: int | None
    district: str | None
    policy: Policy
    district_names: dict[str, str]
    plan_years: list[YearPlan]
    unfunded: list[PlanItem]  # still waiting after the last year (budget)
    too_dear: list[PlanItem]  # each costs more than a whole year's budget
    later: int  # due after the plan's last year
    age_unknown: int
    os_upgrade_needed: int  # out of support but upgradable: not replaced
    computers: int  # considered (not retired)
    # What `by_district` and each agency's `district` are: "district" on the 2020 structure,
    # "commune" on the 2025 one (the structure in force on the plan's first day).
    grouping: str = "district"

    @property
    def total(self) -> Totals:
        out = Totals()
        for y in self.plan_years:
            out.replace += y.totals.replace
            out.new += y.totals.new
            out.cost += y.totals.cost
        return out


@dataclass
class _Inventory:
    agencies: dict[int, AgencyInfo]
    computers: list[Any]  # rows of (tag, kind, os, year, date, status, blocker, agency id)
    district_names: dict[str, str]
    grouping: str  # "district" or "commune"


def _load(session: Session, district: str | None, at: date) -> _Inventory:
    """The agencies existing on `at` (the plan's first day) and the computers they hold then
    (their own and, after a succession, their predecessors'), each agency in its area: its
    district on the 2020 structure, its commune on the 2025 one (provincial agencies: the
    province). An agency held by no one then (dissolved with no successor, or of a dissolved
    district) keeps its computers in the area UNRESOLVED, with no new computers."""
    two_level = UnitLevel.district.value not in era_at(at).levels
    area_level = UnitLevel.commune if two_level else UnitLevel.district
    era_units = select(  # type: ignore[call-overload]
        AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent_code
    ).where(AdminUnit.era == era_at(at).year)
    units = {
        code: (name, level, parent)
        for code, name, level, parent in session.execute(era_units).all()
    }
    if district is not None:
        if district not in units or units[district][1] != area_level:
            if two_level:
                raise IctrError(
                    f"--commune {district!r} is not a commune of the two-level structure in "
                    f"force on {at.isoformat()} (e.g. 00691@2025; no districts since 1 July 2025)"
                )
            raise IctrError(f"--district {district!r} is not a district code (e.g. 026)")
    structure = StructureAt.load(session, at=at)

    parents: dict[str, str | None] = dict(
        session.execute(select(AdminUnit.code, AdminUnit.parent_code)).all()  # type: ignore[call-overload]
    )
    areas: dict[str, str | None] = {}

    def area_of(unit_code: str) -> str | None:
        """The agency's district (2020) or commune (2025), else its province; a 2020
        district after the reform counts for its province's successor."""
        if unit_code not in areas:
            current: str | None = None
            key: str | None = unit_code
            for _ in range(4):  # commune, district, province: the deepest one mapped
                if key is None or (current := structure.unit_of_unit(key)) is not None:
                    break
                key = parents.get(key)
            _, level, parent_code = units.get(current or "", ("", UnitLevel.province, None))
            if current is not None and level == UnitLevel.commune and not two_level:
                current = parent_code
            areas[unit_code] = current
        return areas[unit_code]

    agencies: dict[int, AgencyInfo] = {}
    holders: dict[int, int] = {}
    for agency_id, code, name, unit_code, officials, since in session.execute(
        select(  # type: ignore[call-overload]
            Agency.id,
            Agency.code,
            Agency.name,
            Agency.unit_code,
            Agency.officials,
            Agency.valid_from,
        )
    ).all():
        holder = structure.holder_of_agency(agency_id)
        if holder is None:
            if since is not None and since > at:
                continue  # not created yet: nothing of it to replace
            # Gone with no successor (or in a dissolved district): its computers still need
            # replacing, but no area is guessed and no computer bought for its officials.
            holders[agency_id] = agency_id
            if district is None:
                agencies[agency_id] = AgencyInfo(agency_id, code, name, UNRESOLVED, 0)
            continue
        holders[agency_id] = holder
        if holder != agency_id:
            continue
        where = area_of(unit_code)
        if where is not None and (district is None or where == district):
            agencies[agency_id] = AgencyInfo(agency_id, code, name, where, officials)
    # Core rows, not ORM entities: the plan reads every computer of the province.
    rows = (
        session.connection()
        .execute(
            select(  # type: ignore[call-overload]
                Computer.asset_tag,
                Computer.kind,
                Computer.os,
                Computer.purchase_year,
                Computer.purchase_date,
                Computer.status,
                Computer.os_upgrade_blocker,
                Computer.agency_id,
            ).where(Computer.status != ComputerStatus.retired, not_retired_by(at))
        )
        .all()
    )
    # Each computer under the agency holding it on the plan's first day.
    computers = [
        (*r[:7], holders[r[7]]) for r in rows if r[7] in holders and holders[r[7]] in agencies
    ]
    names = {
        code: units[code][0]
        if units[code][1] != UnitLevel.province
        else f"Cấp tỉnh ({units[code][0]})"
        for code in {a.district for a in agencies.values()}
        if code in units
    }
    names[UNRESOLVED] = UNRESOLVED_NAME
    return _Inventory(agencies, computers, names, area_level.value)


def build_plan(
    session: Session,
    policy: Policy,
    *,
    start: int,
    years: int,
    budget: int | None = None,
    district: str | None = None,
) -> Plan:
    if not 1 <= years <= 30:
        raise IctrError(f"--years must be from 1 to 30, got {years}")
    if not 1980 <= start <= 2100:
        raise IctrError(f"--from must be a year, got {start}")
    if budget is not None and budget <= 0:
        raise IctrError(f"--budget-per-year must be more than 0 VND, got {budget}")
    # Some 100,000 small objects and no cycles: collecting garbage meanwhile only costs time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        inventory = _load(session, district, date(start, 1, 1))
        plan = plan_inventory(
            inventory.agencies,
            inventory.computers,
            inventory.district_names,
            policy,
            start=start,
            years=years,
            budget=budget,
            district=district,
        )
        plan.grouping = inventory.grouping
        return plan
    finally:
        if collecting:
            gc.enable()


def plan_inventory(
    agencies: dict[int, AgencyInfo],
    computers: list[Any],
    district_names: dict[str, str],
    policy: Policy,
    *,
    start: int,
    years: int,
    budget: int | None,
    district: str | None,
) -> Plan:
    last = start + years - 1
    backlog: list[PlanItem] = []
    due: dict[int, list[PlanItem]] = defaultdict(list)
    later = age_unknown = upgrade_needed = 0
    for _, kind, *_, agency_id in computers:
        if ComputerKind(kind) in USER_KINDS:
            agencies[agency_id].user_computers += 1
    os_ends: dict[str | None, tuple[str, date] | None] = {}
    for tag, kind, os_name, year, bought, status, blocker, agency_id in computers:
        # Each reason that applies, with the year it makes the computer due.
        reasons: list[tuple[str, str, int]] = []
        broken = status == ComputerStatus.broken
        if broken:
            reasons.append(("broken", "Hỏng", start - 1))
        if year is None:
            age_unknown += 1
            if policy.age_unknown_due:
                reasons.append(("age_unknown", REASON_TEXT["age_unknown"], start - 1))
        else:
            life = policy.service_life[kind]
            reasons.append(
                ("end_of_life", f"Hết niên hạn {life} năm (mua năm {year})", year + life)
            )
        if os_name not in os_ends:  # few distinct OS names: match each once
            os_ends[os_name] = policy.os_end(os_name)
        support = os_ends[os_name]
        upgradable = False
        if support is not None:
            name, end = support
            if blocker:
                text = f"{name} hết hỗ trợ từ {end:%d/%m/%Y}, không nâng cấp được: {blocker}"
                reasons.append(("os_unsupported", text, end.year))
            else:
                upgradable = end.year < start
        due_year = min([w for _, _, w in reasons]) if reasons else None
        # An OS upgrade matters only for a computer not replaced in the plan's first year.
        if upgradable and (due_year is None or due_year > start):
            upgrade_needed += 1
        if due_year is None:  # age unknown, and the policy does not plan those
            continue
        if due_year > last:
            later += 1
            continue
        # The reasons that hold by the year it is planned for.
        kept = [(r, d) for r, d, w in reasons if w <= max(due_year, start)]
        dated = [w for r, _, w in reasons if r in ("end_of_life", "os_unsupported")]
        item = PlanItem(
            action="replace",
            agency=agencies[agency_id],
            kind=kind,
            cost=policy.cost_vnd[kind],
            reasons=[r for r, _ in kept],
            details=[d for _, d in kept],
            due_year=min(dated) if dated else None,
            asset_tag=tag,
            os=os_name,
            purchase_year=year,
            purchase_date=bought,
            broken=broken,
            os_blocked=any(r == "os_unsupported" for r, _ in kept),
            overdue=due_year < start,
        )
        (backlog if due_year < start else due[due_year]).append(item)
    new_items = _new_computers(agencies, policy)
    return _schedule(
        policy,
        start=start,
        last=last,
        budget=budget,
        district=district,
        district_names=district_names,
        backlog=backlog,
        new_items=new_items,
        due=due,
        later=later,
        age_unknown=age_unknown,
        upgrade_needed=upgrade_needed,
        computers=len(computers),
    )


def _new_computers(agencies: dict[int, AgencyInfo], policy: Policy) -> list[PlanItem]:
    """One item per computer missing, handed out to the worst-equipped agency first."""
    heap: list[tuple[float, str, int, int]] = []
    for a in agencies.values():
        wanted = math.ceil(a.officials * policy.per_official - 1e-9)
        if a.officials > 0 and a.user_computers < wanted:
            heap.append((a.user_computers / a.officials, a.name, a.id, wanted - a.user_computers))
    heapq.heapify(heap)
    items: list[PlanItem] = []
    while heap:
        ratio, name, agency_id, missing = heapq.heappop(heap)
        agency = agencies[agency_id]
        items.append(
            PlanItem(
                action="new",
                agency=agency,
                kind=policy.new_kind,
                cost=policy.cost_vnd[policy.new_kind],
                reasons=["new_for_officials"],
                details=[f"Bổ sung: {agency.user_computers} máy cho {agency.officials} CBCCVC"],
                due_year=None,
            )
        )
        if missing > 1:
            heapq.heappush(heap, (ratio + 1 / agency.officials, name, agency_id, missing - 1))
    return items


def _schedule(
    policy: Policy,
    *,
    start: int,
    last: int,
    budget: int | None,
    district: str | None,
    district_names: dict[str, str],
    backlog: list[PlanItem],
    new_items: list[PlanItem],
    due: dict[int, list[PlanItem]],
    later: int,
    age_unknown: int,
    upgrade_needed: int,
    computers: int,
) -> Plan:
    too_dear: list[PlanItem] = []

    def affordable(items: list[PlanItem]) -> list[PlanItem]:
        if budget is None:
            return items
        too_dear.extend(i for i in items if i.cost > budget)
        return [i for i in items if i.cost <= budget]

    waiting: list[PlanItem] = []
    plan_years: list[YearPlan] = []
    for year in range(start, last + 1):
        fresh = sorted(due.pop(year, []), key=PlanItem.sort_key)
        if year == start:
            fresh = sorted(backlog, key=PlanItem.sort_key) + new_items + fresh
        for item in fresh:
            item.planned_for = year
        queue = waiting + affordable(fresh)
        this = YearPlan(year)
        spent = 0
        for n, item in enumerate(queue):
            if budget is not None and spent + item.cost > budget:
                waiting = queue[n:]
                break
            spent += item.cost
            item.year = year
            this.items.append(item)
            _add(this, item)
            again = year + policy.service_life[item.kind]
            if again <= last:
                due[again].append(_bought_again(item, year, policy))
        else:
            waiting = []
        this.moved_on = list(waiting)
        plan_years.append(this)
    return Plan(
        start=start,
        years=last - start + 1,
        budget=budget,
        district=district,
        policy=policy,
        district_names=district_names,
        plan_years=plan_years,
        unfunded=waiting,
        too_dear=too_dear,
        later=later,
        age_unknown=age_unknown,
        os_upgrade_needed=upgrade_needed,
        computers=computers,
    )


def _bought_again(item: PlanItem, year: int, policy: Policy) -> PlanItem:
    life = policy.service_life[item.kind]
    label = item.asset_tag or "máy mới"
    return PlanItem(
        action="replace",
        agency=item.agency,
        kind=item.kind,
        cost=policy.cost_vnd[item.kind],
        reasons=["replacement_end_of_life"],
        details=[f"Máy mua năm {year} (thay {label}) hết niên hạn {life} năm"],
        due_year=year + life,
        asset_tag=f"{item.asset_tag} (mua {year})" if item.asset_tag else None,
        purchase_year=year,
    )


def _add(plan: YearPlan, item: PlanItem) -> None:
    plan.totals.add(item)
    plan.by_district.setdefault(item.agency.district, Totals()).add(item)
    plan.by_agency.setdefault(item.agency.id, Totals()).add(item)
