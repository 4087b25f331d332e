"""Digital-signature certificates (chứng thư số) held by officials who sign."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class CertificateBase(SQLModel):
    serial: str = Field(min_length=1, max_length=80)
    holder: str = Field(min_length=1, max_length=200)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    issued_on: date
    expires_on: date
    revoked_on: date | None = None


class Certificate(CertificateBase, table=True):
    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("expires_on >= issued_on", name="validity"),
        CheckConstraint("revoked_on IS NULL OR revoked_on >= issued_on", name="revoked"),
    )

    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(min_length=1, max_length=80, unique=True)
