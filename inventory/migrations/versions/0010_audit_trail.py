"""audit trail: change sets and the rows they changed

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 20:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import inventory.models.types  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0010"
# Written next to the other branches of issue 15; the integrator chains it at merge.
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", inventory.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.create_index("ix_change_set_actor", ["actor"], unique=False)
        batch_op.create_index("ix_change_set_at", ["at"], unique=False)
    op.create_table(
        "change_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_change_row_change_set_id_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_row")),
    )
    with op.batch_alter_table("change_row", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_row_change_set_id"), ["change_set_id"], unique=False
        )
        batch_op.create_index("ix_change_row_key", ["key"], unique=False)
        batch_op.create_index("ix_change_row_table_row", ["table_name", "row_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_row", schema=None) as batch_op:
        batch_op.drop_index("ix_change_row_table_row")
        batch_op.drop_index("ix_change_row_key")
        batch_op.drop_index(batch_op.f("ix_change_row_change_set_id"))
    op.drop_table("change_row")
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.drop_index("ix_change_set_at")
        batch_op.drop_index("ix_change_set_actor")
    op.drop_table("change_set")
