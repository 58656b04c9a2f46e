"""ballots.weight and vote_participations.on_paper: counts stored as counts, paper voters marked

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00

A meeting's count and identical paper rankings are stored once with their number (`weight`,
at least 1, more than 1 only for paper ballots) instead of one row per counted vote. A member
a convener marks on the register as having voted on paper gets a participation row marked
`on_paper`, so participation never exceeds the roll and nobody votes both ways.

Both columns are added in place (no table rebuild), so a ballots table without row ids keeps
that form. Participation rows and ballots imported before this revision are left as they
were: their paper ballots weigh 1 each, and no one is marked as having voted on paper.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "ballots",
        sa.Column(
            "weight",
            sa.Integer(),
            sa.CheckConstraint("weight >= 1", name=op.f("ck_ballots_weight_positive")),
            sa.CheckConstraint(
                "weight = 1 OR source = 'paper'", name=op.f("ck_ballots_only_paper_weighs_more")
            ),
            nullable=False,
            server_default="1",
        ),
    )
    op.add_column(
        "vote_participations",
        sa.Column("on_paper", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("vote_participations", "on_paper")
    op.drop_column("ballots", "weight")
