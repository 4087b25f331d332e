"""Agencies' websites and e-service portals, and the stored result of each HTTP(S) check."""

from __future__ import annotations

import enum
import math
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime, enum_type


class WebsiteKind(enum.StrEnum):
    portal = "portal"  # cổng thông tin điện tử (province, district)
    agency_site = "agency_site"  # trang thông tin điện tử của cơ quan
    commune_site = "commune_site"  # trang thông tin điện tử cấp xã
    service_portal = "service_portal"  # cổng dịch vụ công / hệ thống một cửa điện tử


class WebsiteBase(SQLModel):
    agency_id: int = Field(foreign_key="agency.id", index=True)
    url: str = Field(min_length=8, max_length=500, description="http(s) URL")
    kind: WebsiteKind = Field(
        default=WebsiteKind.agency_site, sa_type=enum_type(WebsiteKind, "website_kind")
    )
    # The probe agent responsible for this site; empty means the default agent.
    agent: str = Field(default="", max_length=64)
    synthetic: bool = Field(default=False, description="Made up by the demo, not real")
    active: bool = True


class Website(WebsiteBase, table=True):
    __tablename__ = "website"
    __table_args__ = (UniqueConstraint("agency_id", "url", name="uq_website_agency_url"),)

    id: int | None = Field(default=None, primary_key=True)


class WebsiteCheck(SQLModel, table=True):
    """One HTTP(S) check of one website by one agent (blackbox_exporter's http probe, stored).

    Phase times are milliseconds, each phase summed over the redirects followed (as
    blackbox_exporter's probe_http_duration_seconds); a phase never reached is NULL.
    Certificate fields are read even when verification fails, so an expired or self-signed
    certificate still has its expiry and its verdicts.
    """

    __tablename__ = "website_check"
    __table_args__ = (
        # A spooled round replayed twice must not be stored twice.
        UniqueConstraint("website_id", "agent", "checked_at", name="uq_website_check"),
        Index("ix_website_check_site_time", "website_id", "checked_at"),
        CheckConstraint(
            "status_code IS NULL OR (status_code BETWEEN 100 AND 599)", name="status_code"
        ),
        CheckConstraint("bytes_read >= 0 AND redirects >= 0", name="counts"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    website_id: int = Field(foreign_key="website.id")
    agent: str = Field(default="", max_length=64)
    checked_at: datetime = Field(sa_type=UTCDateTime)
    # Reachable: an HTTP response with a status below 400 after the redirects.
    up: bool = False
    status_code: int | None = None
    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    first_byte_ms: float | None = None
    total_ms: float | None = None
    bytes_read: int = 0
    final_url: str | None = Field(default=None, max_length=2000)
    redirects: int = 0
    # Whether the site's plain-HTTP address redirects to HTTPS; NULL when not checked.
    http_to_https: bool | None = None
    tls_version: str | None = Field(default=None, max_length=16, description="e.g. TLSv1.3")
    cert_valid_name: bool | None = Field(default=None, description="Certificate names the host")
    cert_trusted: bool | None = Field(default=None, description="Chains to a trusted root")
    cert_self_signed: bool | None = None
    cert_not_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_modified: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="The Last-Modified header"
    )
    page_date: date | None = Field(default=None, description="Newest date written in the page")
    error: str | None = Field(default=None, max_length=500)


class WebsiteIncident(SQLModel, table=True):
    """A website unreachable from one instant until it answers again (open while up_at is
    null), from its own agent's checks, as `incident` is for connection points."""

    __tablename__ = "website_incident"
    __table_args__ = (
        Index("ix_website_incident_site_down", "website_id", "down_from"),
        CheckConstraint("up_at IS NULL OR up_at >= down_from", name="order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(foreign_key="website.id")
    agent: str = Field(default="", max_length=64)
    down_from: datetime = Field(sa_type=UTCDateTime)
    up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def cert_days_left(not_after: datetime, at: datetime) -> int:
    """Whole days from `at` until the certificate expires, counted toward zero: negative once
    it has expired ("expired 2 days ago" is -2); 0 within a day of the expiry either side."""
    return math.trunc((not_after - at).total_seconds() / 86400)


def certificate_valid(
    *, trusted: bool | None, valid_name: bool | None, not_after: datetime | None, at: datetime
) -> bool | None:
    """A certificate a browser accepts: it chains to a trusted root, names the host and has
    not expired at `at`. None when no certificate was seen (plain HTTP, no answer)."""
    if trusted is None or valid_name is None or not_after is None:
        return None
    return trusted and valid_name and not_after > at
