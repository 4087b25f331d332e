"""administrative eras: units of 2020 and 2025, their correspondence, agency successions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:40:00

Every existing row is kept and keeps its meaning: the units already stored are the 2020
structure, so they become era 2020 with their code as GSO code (a 2020 unit's key is its
GSO code). Unit-key columns widen to 10 characters for the 2025 keys ("02264@2025").
Agencies get an open validity, computers no retirement day.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = 10
# The tables whose unit_code points at admin_unit.code.
_REFERENCING = ("agency", "unit_boundary", "connection_point", "service_figure")
_LAST_DAY_OF_2020_ERA = date(2025, 6, 30)


def _key(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("admin_unit", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=_key(5), type_=_key(KEY), existing_nullable=False
        )
        batch_op.alter_column(
            "parent_code", existing_type=_key(5), type_=_key(KEY), existing_nullable=True
        )
        batch_op.add_column(
            sa.Column("era", sa.Integer(), nullable=False, server_default=sa.text("2020"))
        )
        batch_op.add_column(sa.Column("gso_code", _key(5), nullable=True))
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("area_km2", sa.Float(), nullable=True))
    op.execute(
        sa.text("UPDATE admin_unit SET gso_code = code, valid_to = :last").bindparams(
            last=_LAST_DAY_OF_2020_ERA
        )
    )
    with op.batch_alter_table("admin_unit", schema=None) as batch_op:
        batch_op.alter_column("gso_code", existing_type=_key(5), nullable=False)
        # The default served the rows already there; new rows get theirs from the model.
        batch_op.alter_column("era", existing_type=sa.Integer(), server_default=None)
        batch_op.create_check_constraint("era", "era IN (2020, 2025)")
        batch_op.create_unique_constraint("uq_admin_unit_era_gso_code", ["era", "gso_code"])
        batch_op.create_index(batch_op.f("ix_admin_unit_gso_code"), ["gso_code"], unique=False)

    for table in _REFERENCING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "unit_code", existing_type=_key(5), type_=_key(KEY), existing_nullable=False
            )

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            "validity", "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to"
        )
    with op.batch_alter_table("computer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))

    op.create_table(
        "unit_correspondence",
        sa.Column("old_code", _key(KEY), nullable=False),
        sa.Column("new_code", _key(KEY), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["old_code"],
            ["admin_unit.code"],
            name=op.f("fk_unit_correspondence_old_code_admin_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["new_code"],
            ["admin_unit.code"],
            name=op.f("fk_unit_correspondence_new_code_admin_unit"),
        ),
        sa.PrimaryKeyConstraint("old_code", "new_code", name=op.f("pk_unit_correspondence")),
    )
    with op.batch_alter_table("unit_correspondence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_correspondence_new_code"), ["new_code"], unique=False
        )

    op.create_table(
        "agency_succession",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("succeeded_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "agency_id <> successor_id", name=op.f("ck_agency_succession_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_succession_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["agency.id"], name=op.f("fk_agency_succession_successor_id_agency")
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_succession")),
    )
    with op.batch_alter_table("agency_succession", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_succession_successor_id"), ["successor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agency_succession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_succession_successor_id"))
    op.drop_table("agency_succession")
    with op.batch_alter_table("unit_correspondence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_correspondence_new_code"))
    op.drop_table("unit_correspondence")
    with op.batch_alter_table("computer", schema=None) as batch_op:
        batch_op.drop_column("retired_on")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agency_validity"), type_="check")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
    # The 2020 schema cannot hold 2025 units: refuse rather than drop the records naming them.
    bind = op.get_bind()
    for table in _REFERENCING:
        named = bind.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE unit_code LIKE '%@%'")  # noqa: S608
        ).scalar_one()
        if named:
            raise RuntimeError(
                f"cannot downgrade below 0007: {named} rows of {table} name 2025 units"
            )
    op.execute(sa.text("UPDATE admin_unit SET parent_code = NULL WHERE era <> 2020"))
    op.execute(sa.text("DELETE FROM admin_unit WHERE era <> 2020"))
    for table in _REFERENCING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "unit_code", existing_type=_key(KEY), type_=_key(5), existing_nullable=False
            )
    with op.batch_alter_table("admin_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_unit_gso_code"))
        batch_op.drop_constraint("uq_admin_unit_era_gso_code", type_="unique")
        batch_op.drop_constraint(op.f("ck_admin_unit_era"), type_="check")
        batch_op.drop_column("area_km2")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
        batch_op.drop_column("gso_code")
        batch_op.drop_column("era")
        batch_op.alter_column(
            "parent_code", existing_type=_key(KEY), type_=_key(5), existing_nullable=True
        )
        batch_op.alter_column(
            "code", existing_type=_key(KEY), type_=_key(5), existing_nullable=False
        )
