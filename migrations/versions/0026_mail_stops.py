"""mail stopped to addresses that bounce

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 18:00:00

One row per member whose mail bounced after the server had accepted it.
"""

import sqlalchemy as sa
from alembic import op

from deliberate.database import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_stops",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.String(length=16), nullable=False),
        sa.Column("last_diagnostic", sa.String(length=300), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_mail_stops_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_mail_stops")),
    )


def downgrade() -> None:
    op.drop_table("mail_stops")
