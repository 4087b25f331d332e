"""Agencies (cơ quan, đơn vị), their head-counts of officials, validity and successors."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.eras import UNIT_KEY_LENGTH
from inventory.models.types import enum_type


class AgencyKind(enum.StrEnum):
    provincial = "provincial"  # sở, ban, ngành cấp tỉnh
    district_committee = "district_committee"  # UBND huyện / thành phố
    commune_committee = "commune_committee"  # UBND xã / phường / thị trấn
    other = "other"


class AgencyBase(SQLModel):
    code: str | None = Field(default=None, max_length=40, description="Optional local code")
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind = Field(sa_type=enum_type(AgencyKind, "agency_kind"))
    unit_code: str = Field(foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH, index=True)
    officials: int = Field(default=0, ge=0, description="Cán bộ, công chức, viên chức")
    signing_officials: int = Field(default=0, ge=0, description="Officials who sign documents")
    # Agency systems; None is "not reported". An empty website is "reported: none".
    website: str | None = Field(default=None, max_length=200, description="http(s) URL")
    e_office: bool | None = Field(default=None, description="E-office system in use")
    one_stop_connected: bool | None = Field(
        default=None, description="One-stop shop connected to the public-service portal"
    )
    # The days the agency exists; None is open (a 2020 agency dissolved in 2025 has valid_to).
    valid_from: date | None = None
    valid_to: date | None = None


class Agency(AgencyBase, table=True):
    __tablename__ = "agency"
    __table_args__ = (
        UniqueConstraint("code", name="uq_agency_code"),
        UniqueConstraint("unit_code", "name", name="uq_agency_unit_name"),
        CheckConstraint("officials >= 0", name="officials"),
        CheckConstraint("signing_officials >= 0", name="signing"),
        CheckConstraint("signing_officials <= officials", name="signing_le_officials"),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="validity"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)


class AgencySuccession(SQLModel, table=True):
    """The agency that takes over another's computers, points and certificates from a day.

    The records keep their agency_id (their history stays with the old agency); at a date
    on or after `succeeded_on` they count for the successor, following the chain.
    """

    __tablename__ = "agency_succession"
    __table_args__ = (CheckConstraint("agency_id <> successor_id", name="not_itself"),)

    agency_id: int = Field(primary_key=True, foreign_key="agency.id")
    successor_id: int = Field(foreign_key="agency.id", index=True)
    succeeded_on: date = Field(description="The first day the successor holds")
