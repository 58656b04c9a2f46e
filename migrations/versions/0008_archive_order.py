"""archive order: records listed by state and date from an index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:55:00

The archive shows sealed records newest first; an index on (state, decided_at, id) gives a
page of them without sorting the whole archive. It replaces the index on decided_at alone.
Plain index operations: on SQLite a batch rebuild of decision_records would drop its guards.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_decision_records_state_decided',
        'decision_records',
        ['state', 'decided_at', 'id'],
        unique=False,
    )
    op.drop_index('ix_decision_records_decided_at', table_name='decision_records')


def downgrade():
    op.create_index(
        'ix_decision_records_decided_at', 'decision_records', ['decided_at'], unique=False
    )
    op.drop_index('ix_decision_records_state_decided', table_name='decision_records')
