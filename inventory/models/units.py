"""Administrative units (province, district, commune) and their boundaries."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime, enum_type, utcnow


class UnitLevel(enum.StrEnum):
    province = "province"
    district = "district"
    commune = "commune"


class AdminUnit(SQLModel, table=True):
    """A unit by its GSO code: 2 digits for a province, 3 for a district, 5 for a commune."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="lon"),
    )

    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=120, description="Full name with diacritics, e.g. Huyện Đồng Văn")
    short_name: str = Field(max_length=100, description="Name without the type, e.g. Đồng Văn")
    unit_type: str = Field(max_length=30, description="Tỉnh, Thành phố, Huyện, Xã, Phường...")
    level: UnitLevel = Field(sa_type=enum_type(UnitLevel, "unit_level"), index=True)
    parent_code: str | None = Field(
        default=None, foreign_key="admin_unit.code", max_length=5, index=True
    )
    latitude: float | None = None
    longitude: float | None = None
    # Bounding box as published with the unit list (south, west, north, east), degrees.
    bbox_south: float | None = None
    bbox_west: float | None = None
    bbox_north: float | None = None
    bbox_east: float | None = None


class UnitBoundary(SQLModel, table=True):
    """The drawn shape of a unit: approximate (derived) or imported from an official file."""

    __tablename__ = "unit_boundary"

    unit_code: str = Field(primary_key=True, foreign_key="admin_unit.code", max_length=5)
    geojson: str = Field(sa_column=Column(Text, nullable=False))
    approximate: bool = True
    source: str = Field(max_length=255, description="'approximate' or the imported file name")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
