"""archive_links: closed votes are chained, links carry their content's format; the archive's
own key for the references that stand for members in the chain

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:00:00

Links made before this revision keep format 1 and are checked with the builders they were
made with. The key is drawn here for an existing archive, with the boundary below which votes
closed before they were chained (every closed vote above it has its link).
"""

import secrets

import sqlalchemy as sa
from alembic import op

import deliberate.database
from deliberate.decisions import schema

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('record', 'commitment', 'minority_report', 'evaluation')"
KINDS_AFTER = "kind IN ('vote', 'record', 'commitment', 'minority_report', 'evaluation')"


def upgrade() -> None:
    secrets_table = op.create_table(
        "archive_secrets",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_key", sa.String(length=64), nullable=False),
        sa.Column("votes_chained_after", sa.Integer(), nullable=False),
        sa.Column("made_at", deliberate.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_archive_secrets_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_secrets")),
    )
    with op.batch_alter_table("archive_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vote_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("format", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.alter_column("record_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f("ck_archive_links_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_archive_links_kind_known"), KINDS_AFTER)
        batch_op.create_check_constraint(
            op.f("ck_archive_links_names_what_it_vouches_for"),
            "(kind = 'vote' AND vote_id IS NOT NULL) OR (kind != 'vote' AND record_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(op.f("ck_archive_links_format_positive"), "format >= 1")
        batch_op.create_foreign_key(
            op.f("fk_archive_links_vote_id_votes"), "votes", ["vote_id"], ["id"]
        )
        batch_op.create_index("ix_archive_links_vote_id", ["vote_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # the batch copy of archive_links lost its guards
        schema.install_append_only(bind, "archive_links")
    schema.install_append_only(bind, "archive_secrets")
    last_vote = bind.execute(sa.text("SELECT max(id) FROM votes")).scalar()
    op.bulk_insert(
        secrets_table,
        [
            {
                "id": 1,
                "member_key": secrets.token_hex(32),
                "votes_chained_after": last_vote or 0,
                "made_at": deliberate.database.utcnow(),
            }
        ],
    )


def downgrade() -> None:
    bind = op.get_bind()
    with schema.guards_lifted(bind):
        op.execute("DELETE FROM archive_links WHERE kind = 'vote' OR format > 1")
    with op.batch_alter_table("archive_links", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_links_vote_id")
        batch_op.drop_constraint(op.f("fk_archive_links_vote_id_votes"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_archive_links_format_positive"), type_="check")
        batch_op.drop_constraint(
            op.f("ck_archive_links_names_what_it_vouches_for"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_archive_links_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_archive_links_kind_known"), KINDS_BEFORE)
        batch_op.alter_column("record_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("format")
        batch_op.drop_column("vote_id")
    if bind.dialect.name == "sqlite":
        schema.install_append_only(bind, "archive_links")
    op.drop_table("archive_secrets")
