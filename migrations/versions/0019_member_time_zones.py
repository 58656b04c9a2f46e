"""time zones: the organization's (an admin setting) and each member's own ("" for the
organization's)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:30:00

Existing members keep the organization's zone; the organization keeps the deployment's
configured zone until an admin chooses one.
"""

import sqlalchemy as sa
from alembic import op

from deliberate.database import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_organization_settings_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_settings")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
    op.drop_table("organization_settings")
