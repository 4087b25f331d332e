"""Administrative units of both eras (2020: province, district, commune; 2025: province,
commune), their boundaries, and the 2020 -> 2025 correspondence."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from inventory.eras import UNIT_KEY_LENGTH, split_unit_key
from inventory.models.types import UTCDateTime, enum_type, utcnow


class UnitLevel(enum.StrEnum):
    province = "province"
    district = "district"
    commune = "commune"


class AdminUnit(SQLModel, table=True):
    """A unit of one era under its unit key (see inventory.eras): the GSO code for 2020
    ("02", "026", "00712"), the GSO code and "@2025" for 2025 ("08@2025", "02264@2025")."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="lon"),
        CheckConstraint("era IN (2020, 2025)", name="era"),
        UniqueConstraint("era", "gso_code", name="uq_admin_unit_era_gso_code"),
    )

    code: str = Field(primary_key=True, max_length=UNIT_KEY_LENGTH)
    # Both follow from `code` and are written from it on every insert and update (below).
    era: int = Field(default=2020, description="2020 or 2025")
    gso_code: str = Field(
        default="", max_length=5, index=True, description="The published GSO code"
    )
    valid_from: date | None = None
    valid_to: date | None = None
    area_km2: float | None = Field(default=None, ge=0)
    name: str = Field(max_length=120, description="Full name with diacritics, e.g. Huyện Đồng Văn")
    short_name: str = Field(max_length=100, description="Name without the type, e.g. Đồng Văn")
    unit_type: str = Field(max_length=30, description="Tỉnh, Thành phố, Huyện, Xã, Phường...")
    level: UnitLevel = Field(sa_type=enum_type(UnitLevel, "unit_level"), index=True)
    parent_code: str | None = Field(
        default=None, foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH, index=True
    )
    latitude: float | None = None
    longitude: float | None = None
    # Bounding box as published with the unit list (south, west, north, east), degrees.
    bbox_south: float | None = None
    bbox_west: float | None = None
    bbox_north: float | None = None
    bbox_east: float | None = None


@event.listens_for(AdminUnit, "before_insert")
@event.listens_for(AdminUnit, "before_update")
def _era_and_gso_code_from_key(_mapper: Any, _connection: Any, unit: AdminUnit) -> None:
    """The key is the one truth: era and GSO code can never disagree with it."""
    era, gso_code = split_unit_key(unit.code)
    unit.era = era.year
    unit.gso_code = gso_code


class UnitBoundary(SQLModel, table=True):
    """The drawn shape of a unit: approximate (derived) or imported from an official file."""

    __tablename__ = "unit_boundary"

    unit_code: str = Field(
        primary_key=True, foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH
    )
    geojson: str = Field(sa_column=Column(Text, nullable=False))
    approximate: bool = True
    source: str = Field(max_length=255, description="'approximate' or the imported file name")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UnitCorrespondence(SQLModel, table=True):
    """Where a 2020 unit went on 1 July 2025: one row per 2025 unit it became part of.

    A divided commune has several rows, exactly one of them the default (where its records
    go unless told otherwise); a 2020 province has one row to its 2025 province; 2020
    districts have none (the level was dissolved).
    """

    __tablename__ = "unit_correspondence"

    old_code: str = Field(
        primary_key=True, foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH
    )
    new_code: str = Field(
        primary_key=True, foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH, index=True
    )
    is_default: bool = True
