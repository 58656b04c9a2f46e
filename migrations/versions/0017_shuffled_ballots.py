"""votes: the options listed in a random order for each voter

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:30:00

Existing votes keep the order they were listed in.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shuffled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_votes_shuffled_ranked"), "NOT shuffled OR method IN ('irv', 'stv', 'schulze')"
        )


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_votes_shuffled_ranked"), type_="check")
        batch_op.drop_column("shuffled")
