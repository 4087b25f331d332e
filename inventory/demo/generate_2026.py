"""The demo's second chapter: the same territory from 2021 to 30 November 2026, inside
today's Tuyên Quang, by commune.

2020's rows stay as they were drawn (the 2020 figures do not move); a second seeded
generator adds what happened since: 2025's reorganisation (agencies_2025), the computers
bought by plan and those they retired (purchases), certificates renewed (renewals) and the
online services' growth (services_growth). The probe history is written by load.py, once the
points have ids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from statistics import fmean

from sqlmodel import Session, col, select

from inventory.demo import targets
from inventory.demo.agencies_2025 import Commune2025, reorganise, successor_of
from inventory.demo.generate import DemoData, district_seat
from inventory.demo.purchases import buy_by_plan
from inventory.demo.renewals import renew
from inventory.demo.services_growth import grow
from inventory.errors import IctrError
from inventory.lifecycle.policy import Policy
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel


@dataclass(frozen=True)
class Territory2025:
    """Where Hà Giang's 2020 units went, read from the database's units and correspondence."""

    province: AdminUnit
    communes: list[Commune2025]
    default_successor: dict[str, str]  # 2020 commune key -> 2025 commune key
    district_seats: dict[str, str]  # 2020 district key -> 2020 commune key of its seat


def territory_2025(session: Session, units_2020: list[AdminUnit]) -> Territory2025:
    communes_2020 = [u for u in units_2020 if u.level == UnitLevel.commune]
    districts = [u for u in units_2020 if u.level == UnitLevel.district]
    parent = {c.code: c.parent_code or "" for c in communes_2020}
    rows = session.exec(
        select(UnitCorrespondence).where(
            col(UnitCorrespondence.old_code).in_([targets.PROVINCE_CODE, *sorted(parent)])
        )
    ).all()
    province_key = next((r.new_code for r in rows if r.old_code == targets.PROVINCE_CODE), None)
    defaults = {r.old_code: r.new_code for r in rows if r.is_default and r.old_code in parent}
    if province_key is None or len(defaults) != len(parent):
        raise IctrError(
            "the 2025 units or the 2020 -> 2025 correspondence of Hà Giang are missing; "
            "run `ictr init` with this version first"
        )
    went_to: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: (r.new_code, r.old_code)):
        if r.old_code in parent:
            went_to.setdefault(r.new_code, []).append(r.old_code)
    units = {
        u.code: u
        for u in session.exec(
            select(AdminUnit).where(col(AdminUnit.code).in_([province_key, *went_to]))
        ).all()
    }
    communes = [
        Commune2025(
            unit=units[key],
            predecessors=tuple(old),
            readiness=round(fmean(targets.DISTRICT_READINESS[parent[o]] for o in old), 3),
        )
        for key, old in sorted(went_to.items())
    ]
    seats = {d.code: district_seat(d, communes_2020).code for d in districts}
    return Territory2025(units[province_key], communes, defaults, seats)


def extend_to_2026(data: DemoData, territory: Territory2025) -> None:
    """Add 2021-2026 to the 2020 dataset, in place."""
    rng = random.Random(targets.SEED_2026)
    for a in data.agencies:
        a.setdefault("valid_from", None)
        a.setdefault("valid_to", None)
    for c in data.computers:
        c.setdefault("retired_on", None)
    new_agencies, successions = reorganise(
        rng,
        data.agencies,
        data.readiness,
        province_2025=territory.province,
        communes=territory.communes,
        default_successor=territory.default_successor,
        district_seats=territory.district_seats,
    )
    data.agencies.extend(new_agencies)
    data.successions.extend(successions)
    successors = successor_of(successions)
    data.computers.extend(
        buy_by_plan(
            rng,
            Policy(),  # the shipped policy's values, whatever a user's file says
            agencies=data.agencies,
            computers=data.computers,
            successors=successors,
        )
    )
    data.certificates.extend(renew(rng, data.certificates, successors))
    data.service_figures.extend(grow(rng, data.agencies, data.readiness, data.service_figures))
