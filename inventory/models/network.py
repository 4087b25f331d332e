"""The dedicated government data network: connection points, probe results and incidents."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.eras import UNIT_KEY_LENGTH
from inventory.models.types import UTCDateTime, enum_type


class ProbeMethod(enum.StrEnum):
    """What a point is configured to be checked with."""

    auto = "auto"  # ICMP, plus TCP when ports are configured
    icmp = "icmp"
    tcp = "tcp"
    both = "both"


class ConnectionPointBase(SQLModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    unit_code: str = Field(foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH, index=True)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    address: str = Field(min_length=1, max_length=255, description="IP address or host name")
    tcp_ports: str = Field(default="", max_length=200, description="Comma-separated, e.g. 80,443")
    probe_method: ProbeMethod = Field(
        default=ProbeMethod.auto, sa_type=enum_type(ProbeMethod, "probe_method")
    )
    provider: str | None = Field(default=None, max_length=100)
    bandwidth_mbps: float | None = Field(default=None, ge=0)
    # The probe agent responsible for this point; empty means the default agent.
    agent: str = Field(default="", max_length=64)
    active: bool = True


class ConnectionPoint(ConnectionPointBase, table=True):
    __tablename__ = "connection_point"
    __table_args__ = (
        CheckConstraint("bandwidth_mbps IS NULL OR bandwidth_mbps >= 0", name="bw"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="lon"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(min_length=1, max_length=40, unique=True)


class ProbeResult(SQLModel, table=True):
    """One row per point per round per agent (Smokeping-style summary of a burst)."""

    __tablename__ = "probe_result"
    __table_args__ = (
        # A spooled round replayed twice must not be stored twice.
        UniqueConstraint("point_id", "agent", "method", "started_at", name="uq_probe_round"),
        Index("ix_probe_point_time", "point_id", "started_at"),
        # Covers the indicator queries (one point, its own agent, a time window): they read
        # only this index, never the table.
        Index(
            "ix_probe_point_agent_time",
            "point_id",
            "agent",
            "started_at",
            "received",
            "sent",
            "rtt_median_ms",
        ),
        CheckConstraint("sent >= 0 AND received >= 0", name="counts"),
        CheckConstraint("received <= sent", name="received_le_sent"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    point_id: int = Field(foreign_key="connection_point.id")
    agent: str = Field(default="", max_length=64)
    method: str = Field(max_length=16, description="icmp, tcp or tcp-connect (fallback)")
    started_at: datetime = Field(sa_type=UTCDateTime)
    sent: int = 0
    received: int = 0
    rtt_min_ms: float | None = None
    rtt_median_ms: float | None = None
    rtt_max_ms: float | None = None
    rtt_stddev_ms: float | None = None
    error: str | None = Field(default=None, max_length=500)


class Incident(SQLModel, table=True):
    """A point down from one instant until it is up again (open while up_at is null)."""

    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_point_down", "point_id", "down_from"),
        CheckConstraint("up_at IS NULL OR up_at >= down_from", name="order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    point_id: int = Field(foreign_key="connection_point.id")
    agent: str = Field(default="", max_length=64)
    down_from: datetime = Field(sa_type=UTCDateTime)
    up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
