"""secret ballots: no rowid for ballots, a replacement check per participation, opt-in receipts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00

On SQLite the ballots table is made again WITHOUT ROWID (its rows copied), so that no
insertion-ordered row identity pairs a ballot with the participation written beside it;
PostgreSQL keeps its table (closing a secret vote rewrites its ballots there). Participations
gain `replace_hash`, which replacing a secret ballot checks; votes gain
`receipts_show_content`, the opt-in to receipts that show the ballot's content.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _recreate_ballots(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "ballots", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass


def upgrade() -> None:
    # Plain ADD COLUMN on both engines: a batch would make `votes` again on SQLite, and
    # dropping the old table would cascade to every vote's options, roll and ballots.
    op.add_column(
        "votes",
        sa.Column("receipts_show_content", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("vote_participations", sa.Column("replace_hash", sa.String(length=64)))
    _recreate_ballots(with_rowid=False)


def downgrade() -> None:
    _recreate_ballots(with_rowid=True)
    # SQLite drops a column in place (3.35 and later), without making the table again.
    op.drop_column("vote_participations", "replace_hash")
    op.drop_column("votes", "receipts_show_content")
