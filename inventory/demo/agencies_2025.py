"""Hà Giang's agencies through 2025's reorganisation, for the synthetic demo.

On 1 March 2025 the province's departments merged (Decree 45/2025); on 1 July 2025 Hà Giang
joined Tuyên Quang and the district level was dissolved. Every agency that ended gets its
successor (`agency_succession`): its computers, points and certificates count for the
successor from that day, and its history stays with it.

- A department merged on 1 March goes to the department that took it over (two of these were
  new: Sở Nông nghiệp và Môi trường, Sở Dân tộc và Tôn giáo).
- On 1 July every Hà Giang department still open goes to today's Tuyên Quang department of
  the same name. In the demo those hold only what came from Hà Giang: the former Tuyên
  Quang's own departments and communes have no demo data.
- A 2020 commune's People's Committee goes to the committee of the 2025 commune its
  territory went to (the default one, for a divided commune); a district's People's
  Committee goes to the committee of the commune that took over its seat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from inventory.demo import targets
from inventory.eras import ERA_2025
from inventory.models import AdminUnit, AgencyKind

DEPARTMENTS_MERGED = date(2025, 3, 1)
TWO_LEVELS = ERA_2025.valid_from or date(2025, 7, 1)

# The departments merged on 1 March 2025 and the department that took each over. Sở Ngoại
# vụ is kept: Hà Giang is a border province (the demo's choice; see README).
DEPARTMENT_MERGERS = {
    "Sở Thông tin và Truyền thông": "Sở Khoa học và Công nghệ",
    "Sở Kế hoạch và Đầu tư": "Sở Tài chính",
    "Sở Giao thông vận tải": "Sở Xây dựng",
    "Sở Lao động - Thương binh và Xã hội": "Sở Nội vụ",
    "Sở Tài nguyên và Môi trường": "Sở Nông nghiệp và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn": "Sở Nông nghiệp và Môi trường",
    "Ban Dân tộc tỉnh": "Sở Dân tộc và Tôn giáo",
}


@dataclass(frozen=True)
class Commune2025:
    """A 2025 commune on former Hà Giang land, with the 2020 communes it was made of."""

    unit: AdminUnit
    predecessors: tuple[str, ...]  # 2020 commune keys whose land (or part of it) it took
    readiness: float


def successor_of(successions: list[dict[str, Any]]) -> dict[str, tuple[str, date]]:
    return {s["agency_code"]: (s["successor_code"], s["succeeded_on"]) for s in successions}


def holder_at(code: str, day: date, successors: dict[str, tuple[str, date]]) -> str:
    """The agency holding `code`'s records on `day`: follow successions in force by then
    (the rule of inventory.structure_at, on the demo's codes before it has ids)."""
    while code in successors and successors[code][1] <= day:
        code = successors[code][0]
    return code


# Share of an ended agency's officials its successor took on: merged departments kept most;
# communes and districts were streamlined, and part of a district's staff went elsewhere.
STAFF_KEPT = {
    AgencyKind.provincial: 0.92,
    AgencyKind.commune_committee: 0.75,
    AgencyKind.district_committee: 0.55,
}


def reorganise(
    rng: random.Random,
    agencies: list[dict[str, Any]],
    readiness: dict[str, float],
    *,
    province_2025: AdminUnit,
    communes: list[Commune2025],
    default_successor: dict[str, str],
    district_seats: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The agencies created in 2025 and every succession. Closes the old agencies (sets
    `valid_to` on their dicts) and records each new agency's readiness. A new agency's
    officials are those its predecessors passed on (STAFF_KEPT).

    `default_successor`: 2020 commune key -> the 2025 commune key its records go to;
    `district_seats`: 2020 district key -> the 2020 commune key of its seat.
    """
    by_name = {a["name"]: a for a in agencies if a["kind"] == AgencyKind.provincial}
    new: list[dict[str, Any]] = []
    successions: list[dict[str, Any]] = []

    # Officials each agency has on its last day. A 2020 agency's stored head-count is its
    # history: what it took on in March 2025 is counted here only, and passed on in July.
    staff = {a["code"]: a["officials"] for a in agencies}

    def succeed(old: dict[str, Any], successor: dict[str, Any], day: date) -> None:
        old["valid_to"] = day - timedelta(days=1)
        moved = round(staff[old["code"]] * STAFF_KEPT[old["kind"]])
        staff[successor["code"]] += moved
        if successor["valid_from"] is not None:
            successor["officials"] += moved
        successions.append(
            dict(agency_code=old["code"], successor_code=successor["code"], succeeded_on=day)
        )

    def agency(code: str, name: str, kind: AgencyKind, unit: str, r: float, valid_from: date,
               website: str) -> dict[str, Any]:  # fmt: skip
        row = dict(
            code=code,
            name=name,
            kind=kind,
            unit_code=unit,
            officials=0,
            signing_officials=0,
            website=website,
            e_office=True,
            one_stop_connected=True,
            valid_from=valid_from,
            valid_to=None,
        )
        new.append(row)
        staff[code] = 0
        readiness[code] = r
        return row

    # 1 March 2025: departments merged within Hà Giang.
    next_number = len(by_name) + 1
    for old_name, new_name in DEPARTMENT_MERGERS.items():
        if new_name not in by_name:
            code = f"HG-T{next_number:02d}"
            next_number += 1
            by_name[new_name] = agency(
                code,
                new_name,
                AgencyKind.provincial,
                targets.PROVINCE_CODE,
                1.0,
                DEPARTMENTS_MERGED,
                f"https://{code.lower()}.hagiang.gov.vn",
            )
        succeed(by_name[old_name], by_name[new_name], DEPARTMENTS_MERGED)

    # 1 July 2025: the departments still open go to today's Tuyên Quang ones.
    open_departments = [a for a in by_name.values() if a.get("valid_to") is None]
    for number, department in enumerate(open_departments, start=1):
        code = f"TQ-T{number:02d}"
        successor = agency(
            code,
            department["name"],
            AgencyKind.provincial,
            province_2025.code,
            1.0,
            TWO_LEVELS,
            f"https://{code.lower()}.tuyenquang.gov.vn",
        )
        succeed(department, successor, TWO_LEVELS)

    # 1 July 2025: the communes' People's Committees take over the communes' and districts'.
    committees: dict[str, dict[str, Any]] = {}
    for c in communes:
        gso = c.unit.gso_code or c.unit.code.split("@")[0]
        code = f"TQ-X{gso}"
        committees[c.unit.code] = agency(
            code,
            f"UBND {c.unit.unit_type.lower()} {c.unit.short_name}",
            AgencyKind.commune_committee,
            c.unit.code,
            c.readiness,
            TWO_LEVELS,
            f"https://{code.lower()}.tuyenquang.gov.vn",
        )
    for a in agencies:
        if a["kind"] == AgencyKind.commune_committee:
            succeed(a, committees[default_successor[a["unit_code"]]], TWO_LEVELS)
        elif a["kind"] == AgencyKind.district_committee:
            seat = district_seats[a["unit_code"]]
            succeed(a, committees[default_successor[seat]], TWO_LEVELS)

    for row in new:
        r = readiness[row["code"]]
        row["signing_officials"] = round(
            row["officials"] * rng.uniform(0.50, 0.70) * (0.7 + 0.3 * r)
        )
    return new, successions
