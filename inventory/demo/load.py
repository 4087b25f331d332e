"""Write the synthetic dataset (Hà Giang in 2020, the same territory inside Tuyên Quang in
2026) into a database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from inventory.admin_units import legacy_units, load_units
from inventory.demo import targets
from inventory.demo.generate import generate
from inventory.demo.generate_2026 import extend_to_2026, territory_2025
from inventory.demo.probe_history import load_history
from inventory.demo.websites import load_websites
from inventory.errors import IctrError
from inventory.models import (
    Agency,
    AgencySuccession,
    Certificate,
    Computer,
    ConnectionPoint,
    Meta,
    ServiceFigure,
)
from inventory.upsert import UpsertCounts, upsert_by_key

DATASET_KEY = "dataset"


@dataclass
class DemoReport:
    agencies: UpsertCounts
    computers: UpsertCounts
    points: UpsertCounts
    certificates: UpsertCounts
    service_figures: UpsertCounts
    successions: UpsertCounts
    probe_rounds: UpsertCounts

    @property
    def changed(self) -> int:
        return sum(c.new + c.updated for c in vars(self).values())


def is_demo(session: Session) -> bool:
    meta = session.get(Meta, DATASET_KEY)
    return meta is not None and meta.value.startswith("synthetic-demo")


def _with_agency_id(rows: list[dict[str, Any]], ids: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        row = dict(row)
        row["agency_id"] = ids[row.pop("agency_code")]
        out.append(row)
    return out


def _successions(rows: list[dict[str, Any]], ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        dict(
            agency_id=ids[r["agency_code"]],
            successor_id=ids[r["successor_code"]],
            succeeded_on=r["succeeded_on"],
        )
        for r in rows
    ]


def _point_ids(session: Session, codes: list[str]) -> dict[str, int]:
    found = session.exec(
        select(ConnectionPoint.code, ConnectionPoint.id).where(col(ConnectionPoint.code).in_(codes))
    ).all()
    return {code: point_id for code, point_id in found if point_id is not None}


def load_demo(session: Session, *, force: bool = False) -> DemoReport:
    """Load (or refresh) the demo in the caller's transaction. Running it twice changes nothing.

    Refuses a database that already holds other data, unless `force`.
    """
    has_agencies = session.exec(select(func.count()).select_from(Agency)).one() > 0
    if has_agencies and not is_demo(session) and not force:
        raise IctrError(
            "this database already holds non-demo data; refusing to mix the synthetic demo "
            "into it (use another ICTR_DATABASE_URL, or --force)"
        )
    # Hà Giang's 2020 units, today's Tuyên Quang and the correspondence between them.
    load_units(session, province_code=targets.PROVINCE_CODE)
    units_2020 = legacy_units(targets.PROVINCE_CODE)
    data = generate(units_2020)
    extend_to_2026(data, territory_2025(session, units_2020))

    agencies = upsert_by_key(session, Agency, "code", data.agencies)
    ids = {
        code: agency_id
        for code, agency_id in session.exec(
            select(Agency.code, Agency.id).where(col(Agency.code).is_not(None))
        ).all()
        if code is not None and agency_id is not None
    }
    computers = upsert_by_key(session, Computer, "asset_tag", _with_agency_id(data.computers, ids))
    points = upsert_by_key(session, ConnectionPoint, "code", _with_agency_id(data.points, ids))
    certificates = upsert_by_key(
        session, Certificate, "serial", _with_agency_id(data.certificates, ids)
    )
    service_figures = upsert_by_key(
        session,
        ServiceFigure,
        ("unit_code", "agency_id", "period"),
        _with_agency_id(data.service_figures, ids),
    )
    successions = upsert_by_key(
        session, AgencySuccession, "agency_id", _successions(data.successions, ids)
    )
    point_readiness = {p["code"]: data.readiness[p["agency_code"]] for p in data.points}
    probe_rounds = load_history(
        session, _point_ids(session, list(point_readiness)), point_readiness
    )
    load_websites(session, data.agencies, data.readiness, ids)
    meta = session.get(Meta, DATASET_KEY)
    if meta is None:
        session.add(Meta(key=DATASET_KEY, value=targets.DATASET_MARKER))
    elif meta.value != targets.DATASET_MARKER:
        meta.value = targets.DATASET_MARKER
    session.flush()
    return DemoReport(
        agencies=agencies,
        computers=computers,
        points=points,
        certificates=certificates,
        service_figures=service_figures,
        successions=successions,
        probe_rounds=probe_rounds,
    )
