"""votes: the threshold options of a ranked count (a fractional STV quota, an IRV threshold
fixed by the first round) and one winner per round

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00

Existing votes keep the count they were made with: the standard threshold, every candidate
who reaches the quota elected in the same round.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHECKS = {
    "ranked_threshold_known": "ranked_threshold IN ('standard', 'fractional', 'first_round')",
    "fractional_threshold_wigm_droop": "ranked_threshold != 'fractional' OR "
    "(method = 'stv' AND stv_variant = 'stv' AND quota = 'droop')",
    "first_round_threshold_irv": "ranked_threshold != 'first_round' OR method = 'irv'",
    "one_winner_per_round_wigm": "NOT one_winner_per_round OR "
    "(method = 'stv' AND stv_variant = 'stv')",
}


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ranked_threshold", sa.String(length=16), server_default="standard", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "one_winner_per_round", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_votes_{name}"), condition)


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for name in reversed(list(CHECKS)):
            batch_op.drop_constraint(op.f(f"ck_votes_{name}"), type_="check")
        batch_op.drop_column("one_winner_per_round")
        batch_op.drop_column("ranked_threshold")
