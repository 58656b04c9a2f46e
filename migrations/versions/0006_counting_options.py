"""counting options: Schulze as a vote method, and the tie-break rule of ranked votes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 11:20:00

Existing votes keep the rule they were counted by: ties settled by earlier rounds, then by
the lot.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_METHODS = "method IN ('majority', 'irv', 'stv', 'consensus')"
NEW_METHODS = "method IN ('majority', 'irv', 'stv', 'consensus', 'schulze')"


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('tie_break', sa.String(length=16), server_default='earlier_rounds', nullable=False)
        )
        batch_op.drop_constraint(op.f('ck_votes_method_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_votes_method_known'), NEW_METHODS)
        batch_op.create_check_constraint(
            op.f('ck_votes_tie_break_known'), "tie_break IN ('earlier_rounds', 'lot')"
        )


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_votes_tie_break_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_votes_method_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_votes_method_known'), OLD_METHODS)
        batch_op.drop_column('tie_break')
