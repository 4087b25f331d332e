"""Failed sign-ins to the dashboard, kept in the database so that a lockout holds across
browser sessions and across dashboard servers sharing it (see dashboard/sign_in_lockout.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime


class SignInFailure(SQLModel, table=True):
    """One failed (or not yet checked) attempt; rows older than the lockout window are deleted."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_account_at", "account", "at"),
        Index("ix_sign_in_failure_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=64, description="The account signed in to, e.g. editor")
    client: str = Field(max_length=64, description="The client's IP address, as resolved")
    at: datetime = Field(sa_type=UTCDateTime)
