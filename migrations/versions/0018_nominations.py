"""votes: elections whose candidates stand by nomination; vote_nominations; an option names
its candidate

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:00:00

Existing votes keep the options their conveners typed: none is by nomination.
"""

import sqlalchemy as sa
from alembic import op

import deliberate.database

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

VOTE_CHECKS = {
    "nominations_for_elections": "NOT by_nomination OR purpose = 'election'",
    "nominations_close_by_nomination": "nominations_close_at IS NULL OR by_nomination",
}


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("by_nomination", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "nominations_close_at",
                deliberate.database.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        for name, condition in VOTE_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_votes_{name}"), condition)
    with op.batch_alter_table("vote_options", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_vote_options_candidate_id_members"), "members", ["candidate_id"], ["id"]
        )
    op.create_table(
        "vote_nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("statement_markdown", sa.Text(), server_default="", nullable=False),
        sa.Column("statement_html", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at", deliberate.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "answered_at", deliberate.database.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_vote_nominations_state_known"),
        ),
        sa.CheckConstraint(
            "state != 'pending' OR nominated_by_id != nominee_id",
            name=op.f("ck_vote_nominations_self_stands_at_once"),
        ),
        sa.CheckConstraint(
            "(state = 'pending') = (answered_at IS NULL)",
            name=op.f("ck_vote_nominations_answered_unless_pending"),
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"],
            ["members.id"],
            name=op.f("fk_vote_nominations_nominated_by_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"], ["members.id"], name=op.f("fk_vote_nominations_nominee_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_vote_nominations_vote_id_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_nominations")),
        sa.UniqueConstraint(
            "vote_id", "nominee_id", name=op.f("uq_vote_nominations_vote_id_nominee_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("vote_nominations")
    with op.batch_alter_table("vote_options", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_vote_options_candidate_id_members"), type_="foreignkey")
        batch_op.drop_column("candidate_id")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for name in reversed(list(VOTE_CHECKS)):
            batch_op.drop_constraint(op.f(f"ck_votes_{name}"), type_="check")
        batch_op.drop_column("nominations_close_at")
        batch_op.drop_column("by_nomination")
