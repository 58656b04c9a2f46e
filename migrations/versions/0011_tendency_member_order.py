"""tendency_memberships: a tendency's current members in the order its page shows them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:30:00

A tendency's page lists its coordinators, then its other current members by seniority. With
30,000 members in a tendency, sorting them all for each page of 100 cost most of the page;
this partial index on (tendency, role, joined, id) of current memberships hands each page
over in order.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tendency_memberships_current_order",
        "tendency_memberships",
        ["tendency_id", "role", "joined_at", "id"],
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tendency_memberships_current_order", table_name="tendency_memberships")
