"""Accounts of the dashboard: who may sign in, with which role, over which unit.

The role is the `Role` of `inventory/actor.py` (viewer, editor, admin); the scope is a unit
(a district, or from 2025 a commune): an editor writes only under it (`inventory/access.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.actor import Role
from inventory.models.types import UTCDateTime, enum_type, utcnow

# Lower-case letters, digits, dot, dash, underscore: never a colon, so no username can pass
# for the command line's `cli:<OS user>`.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class UserBase(SQLModel):
    username: str = Field(max_length=64, description="Sign-in name, e.g. lan.nguyen")
    display_name: str = Field(default="", max_length=120, description="Shown in the history")
    # The address an identity provider (single sign-on) reports for this person; optional.
    email: str | None = Field(default=None, max_length=254)
    role: Role = Field(sa_type=enum_type(Role, "user_role"))
    scope_code: str | None = Field(
        default=None,
        foreign_key="admin_unit.code",
        max_length=5,
        description="The unit an editor may change; empty: the whole province",
    )
    active: bool = True


class User(UserBase, table=True):
    __tablename__ = "app_user"  # "user" is a reserved word in PostgreSQL
    __table_args__ = (
        UniqueConstraint("username", name="uq_app_user_username"),
        UniqueConstraint("email", name="uq_app_user_email"),
        # An admin changes everything: a scope would only mislead whoever reads the list.
        CheckConstraint("role != 'admin' OR scope_code IS NULL", name="admin_unscoped"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # scrypt (`inventory/passwords.py`); None: the account signs in only by single sign-on.
    password_hash: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Changed with the password, the role, the scope or the active flag: a dashboard session
    # signed in before that is signed out.
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
