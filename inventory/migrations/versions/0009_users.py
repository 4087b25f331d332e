"""accounts of the dashboard: users with a role and a scope

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import inventory.models.types  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "app_user",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "viewer",
                "editor",
                "admin",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("scope_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", inventory.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", inventory.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role != 'admin' OR scope_code IS NULL", name=op.f("ck_app_user_admin_unscoped")
        ),
        sa.ForeignKeyConstraint(
            ["scope_code"],
            ["admin_unit.code"],
            name=op.f("fk_app_user_scope_code_admin_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name="uq_app_user_email"),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("app_user")
