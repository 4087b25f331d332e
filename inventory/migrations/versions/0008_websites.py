"""websites and e-service portals, and their HTTP(S) checks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:40:00

Three new tables; no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import inventory.models.types  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0008"
# Written next to 0006; the integrator chains it after issue 14's 0007 at merge.
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = inventory.models.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "website",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "portal",
                "agency_site",
                "commune_site",
                "service_portal",
                name="website_kind",
                native_enum=False,
                create_constraint=True,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_website_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_website")),
        sa.UniqueConstraint("agency_id", "url", name="uq_website_agency_url"),
    )
    with op.batch_alter_table("website", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_website_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "website_check",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("website_id", sa.Integer(), nullable=False),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("checked_at", UTC_TIME, nullable=False),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("dns_ms", sa.Float(), nullable=True),
        sa.Column("connect_ms", sa.Float(), nullable=True),
        sa.Column("tls_ms", sa.Float(), nullable=True),
        sa.Column("first_byte_ms", sa.Float(), nullable=True),
        sa.Column("total_ms", sa.Float(), nullable=True),
        sa.Column("bytes_read", sa.Integer(), nullable=False),
        sa.Column("final_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("redirects", sa.Integer(), nullable=False),
        sa.Column("http_to_https", sa.Boolean(), nullable=True),
        sa.Column("tls_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("cert_valid_name", sa.Boolean(), nullable=True),
        sa.Column("cert_trusted", sa.Boolean(), nullable=True),
        sa.Column("cert_self_signed", sa.Boolean(), nullable=True),
        sa.Column("cert_not_after", UTC_TIME, nullable=True),
        sa.Column("last_modified", UTC_TIME, nullable=True),
        sa.Column("page_date", sa.Date(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.CheckConstraint(
            "status_code IS NULL OR (status_code BETWEEN 100 AND 599)",
            name=op.f("ck_website_check_status_code"),
        ),
        sa.CheckConstraint(
            "bytes_read >= 0 AND redirects >= 0", name=op.f("ck_website_check_counts")
        ),
        sa.ForeignKeyConstraint(
            ["website_id"], ["website.id"], name=op.f("fk_website_check_website_id_website")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_website_check")),
        sa.UniqueConstraint("website_id", "agent", "checked_at", name="uq_website_check"),
    )
    with op.batch_alter_table("website_check", schema=None) as batch_op:
        batch_op.create_index(
            "ix_website_check_site_time", ["website_id", "checked_at"], unique=False
        )

    op.create_table(
        "website_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("website_id", sa.Integer(), nullable=False),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("down_from", UTC_TIME, nullable=False),
        sa.Column("up_at", UTC_TIME, nullable=True),
        sa.CheckConstraint(
            "up_at IS NULL OR up_at >= down_from", name=op.f("ck_website_incident_order")
        ),
        sa.ForeignKeyConstraint(
            ["website_id"], ["website.id"], name=op.f("fk_website_incident_website_id_website")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_website_incident")),
    )
    with op.batch_alter_table("website_incident", schema=None) as batch_op:
        batch_op.create_index(
            "ix_website_incident_site_down", ["website_id", "down_from"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("website_incident", schema=None) as batch_op:
        batch_op.drop_index("ix_website_incident_site_down")
    op.drop_table("website_incident")
    with op.batch_alter_table("website_check", schema=None) as batch_op:
        batch_op.drop_index("ix_website_check_site_time")
    op.drop_table("website_check")
    with op.batch_alter_table("website", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_website_agency_id"))
    op.drop_table("website")
