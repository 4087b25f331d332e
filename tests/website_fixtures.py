"""Agencies for the website tests, in a test province."""

from __future__ import annotations

from sqlalchemy import Engine

from inventory.db import session_scope
from inventory.models import AdminUnit, Agency, AgencyKind, UnitLevel


def add_agency(engine: Engine, name: str, kind: AgencyKind = AgencyKind.other) -> int:
    """Store an agency (and the province "02" if missing); returns its id."""
    with session_scope(engine) as session:
        if session.get(AdminUnit, "02") is None:
            session.add(
                AdminUnit(
                    code="02",
                    name="Tỉnh Hà Giang",
                    short_name="Hà Giang",
                    unit_type="Tỉnh",
                    level=UnitLevel.province,
                )
            )
            session.flush()
        agency = Agency(name=name, kind=kind, unit_code="02")
        session.add(agency)
        session.flush()
        assert agency.id is not None
        return agency.id
