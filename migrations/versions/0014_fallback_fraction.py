"""votes: the consensus fallback supermajority as an exact fraction

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:00:00

A whole percentage could not say "two-thirds" (66 % adopts 2 of 3, 67 % refuses it). The
fallback is now a numerator and a denominator in lowest terms, more than half and at most
all. Existing percentages become their exact fraction (75 -> 3/4, 66 -> 33/50). Downgrading
rounds a fraction up to the whole percentage that is at least as demanding (2/3 -> 67).
"""

from math import gcd

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

votes = sa.table(
    "votes",
    sa.column("id", sa.Integer),
    sa.column("fallback_percent", sa.Integer),
    sa.column("fallback_numerator", sa.Integer),
    sa.column("fallback_denominator", sa.Integer),
)

SUPERMAJORITY = (
    "fallback_numerator IS NULL OR (fallback_denominator BETWEEN 1 AND 10000 "
    "AND fallback_numerator <= fallback_denominator "
    "AND 2 * fallback_numerator > fallback_denominator)"
)


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fallback_numerator", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fallback_denominator", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(votes.c.id, votes.c.fallback_percent).where(votes.c.fallback_percent.is_not(None))
    ).all()
    for vote_id, percent in rows:
        common = gcd(percent, 100)
        connection.execute(
            sa.update(votes)
            .where(votes.c.id == vote_id)
            .values(fallback_numerator=percent // common, fallback_denominator=100 // common)
        )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_votes_fallback_has_percent"), type_="check")
        batch_op.drop_constraint(op.f("ck_votes_fallback_percent_range"), type_="check")
        batch_op.drop_column("fallback_percent")
        batch_op.create_check_constraint(
            op.f("ck_votes_fallback_whole_or_none"),
            "(fallback_numerator IS NULL) = (fallback_denominator IS NULL)",
        )
        batch_op.create_check_constraint(op.f("ck_votes_fallback_supermajority"), SUPERMAJORITY)
        batch_op.create_check_constraint(
            op.f("ck_votes_fallback_has_share"),
            "block_rule IS NULL OR block_rule != 'fallback' OR fallback_numerator IS NOT NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fallback_percent", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(votes.c.id, votes.c.fallback_numerator, votes.c.fallback_denominator).where(
            votes.c.fallback_numerator.is_not(None)
        )
    ).all()
    for vote_id, numerator, denominator in rows:
        connection.execute(
            sa.update(votes)
            .where(votes.c.id == vote_id)
            .values(fallback_percent=-(-numerator * 100 // denominator))
        )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_votes_fallback_has_share"), type_="check")
        batch_op.drop_constraint(op.f("ck_votes_fallback_supermajority"), type_="check")
        batch_op.drop_constraint(op.f("ck_votes_fallback_whole_or_none"), type_="check")
        batch_op.drop_column("fallback_denominator")
        batch_op.drop_column("fallback_numerator")
        batch_op.create_check_constraint(
            op.f("ck_votes_fallback_percent_range"),
            "fallback_percent IS NULL OR fallback_percent BETWEEN 51 AND 100",
        )
        batch_op.create_check_constraint(
            op.f("ck_votes_fallback_has_percent"),
            "block_rule IS NULL OR block_rule != 'fallback' OR fallback_percent IS NOT NULL",
        )
