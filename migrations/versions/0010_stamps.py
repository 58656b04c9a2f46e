"""stamps: the tokens that say when a rendered page part has changed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 14:00:00

Each process keeps rendered parts of pages (a draft's text with its margins, a thread's
comments) under the tokens of the stamps they depend on; every transaction that changes what
a stamp covers draws it a new random token (deliberate/fragments.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stamps",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stamps")),
    )


def downgrade() -> None:
    op.drop_table("stamps")
