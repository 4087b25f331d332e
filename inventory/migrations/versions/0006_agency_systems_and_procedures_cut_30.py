"""agency systems (website, e-office, connected one-stop shop) and procedures cut by 30 %

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 18:50:00

Every existing row is kept: agencies get "not reported" (NULL) systems, service figures
zero procedures cut by more than 30 %.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
# Written next to 0005 (certificates); the integrator chains it after 0005 at merge.
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("e_office", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("one_stop_connected", sa.Boolean(), nullable=True))
    with op.batch_alter_table("service_figure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "procedures_cut_30", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
        batch_op.create_check_constraint(
            "cut_30", "procedures_cut_30 >= 0 AND procedures_cut_30 <= procedures"
        )


def downgrade() -> None:
    with op.batch_alter_table("service_figure", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_service_figure_cut_30"), type_="check")
        batch_op.drop_column("procedures_cut_30")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("one_stop_connected")
        batch_op.drop_column("e_office")
        batch_op.drop_column("website")
