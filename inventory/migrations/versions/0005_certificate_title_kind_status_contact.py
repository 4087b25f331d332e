"""certificate title, kind, status, e-mail and token; serials normalised

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:50:00

Every stored certificate is kept: it becomes a personal certificate, revoked when it has a
revocation date and active otherwise, and its serial is written as the importer now
normalises serials (upper case, no spaces or colons, no leading zeros), so that a list or a
certificate file naming it finds it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND = sa.Enum(
    "personal",
    "organisation",
    name="certificate_kind",
    native_enum=False,
    create_constraint=True,
    length=20,
)
_STATUS = sa.Enum(
    "active",
    "suspended",
    "revoked",
    name="certificate_status",
    native_enum=False,
    create_constraint=True,
    length=17,
)


def upgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("kind", _KIND, nullable=False, server_default="personal"))
        batch_op.add_column(sa.Column("status", _STATUS, nullable=False, server_default="active"))
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
    op.execute("UPDATE certificate SET status = 'revoked' WHERE revoked_on IS NOT NULL")
    normal = "LTRIM(UPPER(REPLACE(REPLACE(serial, ' ', ''), ':', '')), '0')"
    op.execute(
        f"UPDATE certificate SET serial = CASE WHEN {normal} = '' THEN '0' ELSE {normal} END"
    )
    # The defaults served the rows already there; new rows get theirs from the model.
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_column("token")
        batch_op.drop_column("email")
        batch_op.drop_column("status")
        batch_op.drop_column("kind")
        batch_op.drop_column("title")
