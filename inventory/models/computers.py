"""Computers: every machine an agency owns, and what makes it fit for work or due to go."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from inventory.models.types import enum_type


class ComputerKind(enum.StrEnum):
    desktop = "desktop"
    laptop = "laptop"
    server = "server"
    other = "other"


class ComputerStatus(enum.StrEnum):
    in_use = "in_use"  # đang sử dụng
    spare = "spare"  # dự phòng
    broken = "broken"  # hỏng
    retired = "retired"  # thanh lý


class ComputerBase(SQLModel):
    asset_tag: str = Field(min_length=1, max_length=64)
    serial: str | None = Field(default=None, max_length=100)
    kind: ComputerKind = Field(
        default=ComputerKind.desktop, sa_type=enum_type(ComputerKind, "computer_kind")
    )
    manufacturer: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=150)
    cpu: str | None = Field(default=None, max_length=150)
    ram_gb: float | None = Field(default=None, ge=0)
    os: str | None = Field(default=None, max_length=100)
    # A purchase known to the day has both; known to the year, only the year; unknown, neither.
    purchase_year: int | None = Field(default=None, ge=1980, le=2100)
    purchase_date: date | None = None
    purchase_cost: float | None = Field(default=None, ge=0, description="VND")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    internet: bool = False
    status: ComputerStatus = Field(
        default=ComputerStatus.in_use, sa_type=enum_type(ComputerStatus, "computer_status")
    )
    last_audit: date | None = None
    # The day it left service; a retired computer without it never counts, as before eras.
    retired_on: date | None = None
    # Why the OS cannot be upgraded when it is out of support (old CPU, too little RAM...).
    os_upgrade_blocker: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)


class Computer(ComputerBase, table=True):
    __tablename__ = "computer"
    __table_args__ = (
        CheckConstraint("ram_gb IS NULL OR ram_gb >= 0", name="ram"),
        CheckConstraint("purchase_cost IS NULL OR purchase_cost >= 0", name="cost"),
        CheckConstraint(
            "purchase_year IS NULL OR purchase_year BETWEEN 1980 AND 2100", name="year"
        ),
        CheckConstraint("purchase_date IS NULL OR purchase_year IS NOT NULL", name="date_has_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    asset_tag: str = Field(min_length=1, max_length=64, unique=True)
