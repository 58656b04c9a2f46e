"""comments and position papers admit decision records as subjects

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:10:00

The subject types a comment or a paper may be about are checked by the database. Votes were
already admitted; decision records join them here, so that the decisions domain registers its
subject kind without rebuilding either table.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COMMENT_TYPES = ("draft", "amendment", "paper", "vote")
PAPER_TYPES = ("draft", "amendment", "vote")


def _in(types: tuple[str, ...]) -> str:
    return "subject_type IN ({})".format(", ".join(f"'{t}'" for t in types))


def _replace_checks(comment_types: tuple[str, ...], paper_types: tuple[str, ...]) -> None:
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_constraint(op.f("ck_comments_subject_type_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_comments_subject_type_known"), _in(comment_types))
    with op.batch_alter_table("position_papers") as batch_op:
        batch_op.drop_constraint(op.f("ck_position_papers_subject_type_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_position_papers_subject_type_known"), _in(paper_types)
        )


def upgrade() -> None:
    _replace_checks((*COMMENT_TYPES, "decision"), (*PAPER_TYPES, "decision"))


def downgrade() -> None:
    _replace_checks(COMMENT_TYPES, PAPER_TYPES)
