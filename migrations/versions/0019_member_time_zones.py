"""members: the time zone a member reads and enters times in ("" for the organization's)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 09:30:00

Existing members keep the organization's zone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
