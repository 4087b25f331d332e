"""Digital-signature certificates (chứng thư số) held by officials who sign.

A certificate is known by its serial, normalised (`normal_serial`) so that the same one
written in a list ("54:04:00 1a") and read from its file (0x54_0400_1A) is one row.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel, col

from inventory.models.types import enum_type


class CertificateKind(enum.StrEnum):
    personal = "personal"  # cá nhân
    organisation = "organisation"  # tổ chức


class CertificateStatus(enum.StrEnum):
    active = "active"  # đang hoạt động
    suspended = "suspended"  # tạm dừng
    revoked = "revoked"  # đã thu hồi


class CertificateBase(SQLModel):
    serial: str = Field(min_length=1, max_length=80)
    holder: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    kind: CertificateKind = Field(
        default=CertificateKind.personal,
        sa_type=enum_type(CertificateKind, "certificate_kind"),
    )
    status: CertificateStatus = Field(
        default=CertificateStatus.active,
        sa_type=enum_type(CertificateStatus, "certificate_status"),
    )
    agency_id: int = Field(foreign_key="agency.id", index=True)
    issued_on: date
    expires_on: date
    revoked_on: date | None = None
    email: str | None = Field(default=None, max_length=200)
    token: str | None = Field(default=None, max_length=100)


class Certificate(CertificateBase, table=True):
    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("expires_on >= issued_on", name="validity"),
        CheckConstraint("revoked_on IS NULL OR revoked_on >= issued_on", name="revoked"),
    )

    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(min_length=1, max_length=80, unique=True)


def valid_on(at: date) -> ColumnElement[bool]:
    """THE rule for a certificate valid on `at`: issued, not expired, not suspended, and not
    revoked by then (a revoked one whose date is unknown counts as revoked all along)."""
    status = col(Certificate.status)
    revoked_on = col(Certificate.revoked_on)
    return and_(
        col(Certificate.issued_on) <= at,
        col(Certificate.expires_on) >= at,
        or_(
            and_(status == CertificateStatus.active, revoked_on.is_(None)),
            revoked_on > at,
        ),
    )
