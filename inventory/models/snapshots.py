"""Stored indicator values per period, so trends can be drawn; and dataset metadata."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime, utcnow


class IndicatorSnapshot(SQLModel, table=True):
    __tablename__ = "indicator_snapshot"
    __table_args__ = (
        UniqueConstraint("period", "level", "unit_code", "indicator", name="uq_snapshot_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=10, index=True)
    level: str = Field(max_length=20)
    unit_code: str = Field(max_length=40, description="Unit code, or agency id for agency level")
    indicator: str = Field(max_length=60)
    value: float | None = None
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (e.g. that it holds the synthetic demo)."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=500)
