"""votes: bodies and their members, votes, options, rolls, participations and ballots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:54:52.367801

"""
from alembic import op
import sqlalchemy as sa

import deliberate.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_bodies_created_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bodies')),
    sa.UniqueConstraint('name', name=op.f('uq_bodies_name'))
    )
    op.create_table('body_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('added_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('removed_at IS NULL OR removed_at >= added_at', name=op.f('ck_body_memberships_removed_after_added')),
    sa.ForeignKeyConstraint(['added_by_id'], ['members.id'], name=op.f('fk_body_memberships_added_by_id_members')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_body_memberships_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_body_memberships_member_id_members')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['members.id'], name=op.f('fk_body_memberships_removed_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body_memberships'))
    )
    with op.batch_alter_table('body_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_body_memberships_member_id', ['member_id'], unique=False)
        batch_op.create_index('uq_body_memberships_current', ['body_id', 'member_id'], unique=True, sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description_markdown', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('stv_variant', sa.String(length=16), nullable=True),
    sa.Column('quota', sa.String(length=16), nullable=False),
    sa.Column('threshold', sa.String(length=16), nullable=True),
    sa.Column('abstentions_in_base', sa.Boolean(), nullable=False),
    sa.Column('quorum_percent', sa.Integer(), nullable=False),
    sa.Column('block_rule', sa.String(length=16), nullable=True),
    sa.Column('fallback_percent', sa.Integer(), nullable=True),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('replaceable', sa.Boolean(), nullable=False),
    sa.Column('breakdown_by_tendency', sa.Boolean(), nullable=False),
    sa.Column('in_person', sa.Boolean(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('previous_vote_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opens_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('roll_size', sa.Integer(), nullable=True),
    sa.Column('lot', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=200), nullable=True),
    sa.Column('result_json', sa.Text(), nullable=True),
    sa.CheckConstraint("block_rule IS NULL OR block_rule != 'fallback' OR fallback_percent IS NOT NULL", name=op.f('ck_votes_fallback_has_percent')),
    sa.CheckConstraint("block_rule IS NULL OR block_rule IN ('no_decision', 'second_round', 'fallback')", name=op.f('ck_votes_block_rule_known')),
    sa.CheckConstraint("method != 'consensus' OR block_rule IS NOT NULL", name=op.f('ck_votes_consensus_has_block_rule')),
    sa.CheckConstraint("method != 'majority' OR threshold IS NOT NULL", name=op.f('ck_votes_majority_has_threshold')),
    sa.CheckConstraint("method IN ('majority', 'irv', 'stv', 'consensus')", name=op.f('ck_votes_method_known')),
    sa.CheckConstraint("quota IN ('droop', 'hare')", name=op.f('ck_votes_quota_known')),
    sa.CheckConstraint("state != 'closed' OR (result_json IS NOT NULL AND closed_at IS NOT NULL)", name=op.f('ck_votes_closed_has_result')),
    sa.CheckConstraint("state IN ('scheduled', 'cancelled') OR (opened_at IS NOT NULL AND lot IS NOT NULL)", name=op.f('ck_votes_opened_has_lot')),
    sa.CheckConstraint("state IN ('scheduled', 'open', 'closed', 'cancelled')", name=op.f('ck_votes_state_known')),
    sa.CheckConstraint("stv_variant IS NULL OR stv_variant IN ('stv', 'scottish', 'meek')", name=op.f('ck_votes_stv_variant_known')),
    sa.CheckConstraint("threshold IS NULL OR threshold IN ('simple', 'two_thirds', 'absolute')", name=op.f('ck_votes_threshold_known')),
    sa.CheckConstraint('(subject_type IS NULL) = (subject_id IS NULL)', name=op.f('ck_votes_subject_whole_or_none')),
    sa.CheckConstraint('closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at', name=op.f('ck_votes_closes_after_opening')),
    sa.CheckConstraint('fallback_percent IS NULL OR fallback_percent BETWEEN 51 AND 100', name=op.f('ck_votes_fallback_percent_range')),
    sa.CheckConstraint('quorum_percent BETWEEN 0 AND 100', name=op.f('ck_votes_quorum_percent_range')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_votes_seats_positive')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_votes_body_id_bodies')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['members.id'], name=op.f('fk_votes_closed_by_id_members')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_votes_created_by_id_members')),
    sa.ForeignKeyConstraint(['previous_vote_id'], ['votes.id'], name=op.f('fk_votes_previous_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_state_closes_at', ['state', 'closes_at'], unique=False)
        batch_op.create_index('ix_votes_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('receipt_hash', sa.String(length=64), nullable=True),
    sa.Column('tendency_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.CheckConstraint("(source = 'paper' AND member_id IS NULL AND receipt_hash IS NULL) OR (source = 'online' AND (member_id IS NULL) != (receipt_hash IS NULL))", name=op.f('ck_ballots_one_way_to_identify')),
    sa.CheckConstraint("source IN ('online', 'paper')", name=op.f('ck_ballots_source_known')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ballots_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_ballots_tendency_id_tendencies')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_ballots_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('vote_id', 'member_id', name=op.f('uq_ballots_vote_id_member_id')),
    sa.UniqueConstraint('vote_id', 'receipt_hash', name=op.f('uq_ballots_vote_id_receipt_hash'))
    )
    op.create_table('vote_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('position >= 1', name=op.f('ck_vote_options_position_positive')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_options_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_options')),
    sa.UniqueConstraint('vote_id', 'label', name=op.f('uq_vote_options_vote_id_label')),
    sa.UniqueConstraint('vote_id', 'position', name=op.f('uq_vote_options_vote_id_position'))
    )
    op.create_table('vote_participations',
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_vote_participations_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_vote_participations_tendency_id_tendencies')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_participations_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vote_id', 'member_id', name=op.f('pk_vote_participations'))
    )
    op.create_table('vote_roll',
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_vote_roll_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_vote_roll_tendency_id_tendencies')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_roll_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vote_id', 'member_id', name=op.f('pk_vote_roll'))
    )


def downgrade():
    op.drop_table('vote_roll')
    op.drop_table('vote_participations')
    op.drop_table('vote_options')
    op.drop_table('ballots')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_subject')
        batch_op.drop_index('ix_votes_state_closes_at')

    op.drop_table('votes')
    with op.batch_alter_table('body_memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_body_memberships_current', sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index('ix_body_memberships_member_id')

    op.drop_table('body_memberships')
    op.drop_table('bodies')
