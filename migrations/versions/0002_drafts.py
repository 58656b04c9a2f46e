"""drafts: drafts, immutable versions and paragraphs, conveners, amendments, seconds, sponsors, events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:04:28.030216

"""
from alembic import op
import sqlalchemy as sa

import deliberate.database


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('current_version_number', sa.Integer(), nullable=False),
    sa.Column('next_amendment_number', sa.Integer(), nullable=False),
    sa.Column('line_width', sa.Integer(), nullable=False),
    sa.Column('seconds_required', sa.Integer(), nullable=False),
    sa.Column('amendment_deadline_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('amendments_closed_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('evaluation_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind != 'situational_objective' OR (valid_from IS NOT NULL AND valid_until IS NOT NULL AND evaluation_date IS NOT NULL)", name=op.f('ck_drafts_objective_has_period')),
    sa.CheckConstraint("kind IN ('political_line', 'program', 'situational_objective', 'resolution', 'statement', 'bylaws_change')", name=op.f('ck_drafts_kind_known')),
    sa.CheckConstraint("state != 'amendments_open' OR amendment_deadline_at IS NOT NULL", name=op.f('ck_drafts_open_window_has_deadline')),
    sa.CheckConstraint("state IN ('drafting', 'amendments_open', 'debate', 'voting', 'adopted', 'rejected', 'withdrawn')", name=op.f('ck_drafts_state_known')),
    sa.CheckConstraint('current_version_number >= 1', name=op.f('ck_drafts_version_positive')),
    sa.CheckConstraint('next_amendment_number >= 1', name=op.f('ck_drafts_amendment_counter_positive')),
    sa.CheckConstraint('line_width >= 20', name=op.f('ck_drafts_line_width_sane')),
    sa.CheckConstraint('seconds_required >= 0', name=op.f('ck_drafts_seconds_required_not_negative')),
    sa.CheckConstraint('valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from', name=op.f('ck_drafts_validity_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_drafts_created_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts'))
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_state'), ['state'], unique=False)

    op.create_table('competition_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_competition_groups_created_by_id_members')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_competition_groups_draft_id_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_groups')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_competition_groups_draft_id_number'))
    )
    op.create_table('draft_conveners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['members.id'], name=op.f('fk_draft_conveners_added_by_id_members')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_conveners_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_draft_conveners_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_conveners')),
    sa.UniqueConstraint('draft_id', 'member_id', name=op.f('uq_draft_conveners_draft_id_member_id'))
    )
    with op.batch_alter_table('draft_conveners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_conveners_member_id'), ['member_id'], unique=False)

    op.create_table('draft_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('line_width', sa.Integer(), nullable=False),
    sa.Column('paragraph_count', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.CheckConstraint('line_width >= 20', name=op.f('ck_draft_versions_line_width_sane')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_draft_versions_number_positive')),
    sa.CheckConstraint('paragraph_count >= 1', name=op.f('ck_draft_versions_has_paragraphs')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_draft_versions_author_id_members')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_versions_draft_id_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_versions')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_draft_versions_draft_id_number'))
    )
    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('first_paragraph', sa.Integer(), nullable=False),
    sa.Column('last_paragraph', sa.Integer(), nullable=False),
    sa.Column('new_text', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('rationale_html', sa.Text(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('competition_group_id', sa.Integer(), nullable=True),
    sa.Column('sponsor_tendency_id', sa.Integer(), nullable=True),
    sa.Column('sponsor_confirmed_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sponsor_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'delete') = (new_text = '')", name=op.f('ck_amendments_text_unless_delete')),
    sa.CheckConstraint("kind != 'insert_after' OR first_paragraph = last_paragraph", name=op.f('ck_amendments_insert_one_point')),
    sa.CheckConstraint("kind = 'insert_after' OR first_paragraph >= 1", name=op.f('ck_amendments_range_starts_at_one')),
    sa.CheckConstraint("kind IN ('replace', 'insert_after', 'delete', 'substitute')", name=op.f('ck_amendments_kind_known')),
    sa.CheckConstraint("state IN ('proposed', 'tabled', 'accepted', 'voting', 'adopted', 'rejected', 'ruled_out', 'withdrawn', 'needs_update', 'merged')", name=op.f('ck_amendments_state_known')),
    sa.CheckConstraint('last_paragraph >= first_paragraph AND first_paragraph >= 0', name=op.f('ck_amendments_range_ordered')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_amendments_number_positive')),
    sa.CheckConstraint('sponsor_confirmed_at IS NULL OR sponsor_tendency_id IS NOT NULL', name=op.f('ck_amendments_confirmed_sponsor_named')),
    sa.ForeignKeyConstraint(['competition_group_id'], ['competition_groups.id'], name=op.f('fk_amendments_competition_group_id_competition_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_amendments_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_version_id'], ['draft_versions.id'], name=op.f('fk_amendments_merged_into_version_id_draft_versions')),
    sa.ForeignKeyConstraint(['proposer_id'], ['members.id'], name=op.f('fk_amendments_proposer_id_members')),
    sa.ForeignKeyConstraint(['sponsor_confirmed_by_id'], ['members.id'], name=op.f('fk_amendments_sponsor_confirmed_by_id_members')),
    sa.ForeignKeyConstraint(['sponsor_tendency_id'], ['tendencies.id'], name=op.f('fk_amendments_sponsor_tendency_id_tendencies')),
    sa.ForeignKeyConstraint(['version_id'], ['draft_versions.id'], name=op.f('fk_amendments_version_id_draft_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_amendments_draft_id_number'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendments_competition_group_id'), ['competition_group_id'], unique=False)
        batch_op.create_index('ix_amendments_draft_id_state', ['draft_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendments_proposer_id'), ['proposer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendments_version_id'), ['version_id'], unique=False)

    op.create_table('draft_paragraphs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('markdown', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('numbered_html', sa.Text(), nullable=False),
    sa.Column('first_line', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('first_line >= 1 AND line_count >= 1', name=op.f('ck_draft_paragraphs_lines_positive')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_draft_paragraphs_number_positive')),
    sa.ForeignKeyConstraint(['version_id'], ['draft_versions.id'], name=op.f('fk_draft_paragraphs_version_id_draft_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_paragraphs')),
    sa.UniqueConstraint('version_id', 'number', name=op.f('uq_draft_paragraphs_version_id_number'))
    )
    op.create_table('amendment_cosponsors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_cosponsors_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_amendment_cosponsors_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_amendment_cosponsors_tendency_id_tendencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_cosponsors')),
    sa.UniqueConstraint('amendment_id', 'member_id', name=op.f('uq_amendment_cosponsors_amendment_id_member_id'))
    )
    with op.batch_alter_table('amendment_cosponsors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_cosponsors_member_id'), ['member_id'], unique=False)

    op.create_table('amendment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_amendment_events_actor_id_members')),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_events_amendment_id_amendments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_events'))
    )
    with op.batch_alter_table('amendment_events', schema=None) as batch_op:
        batch_op.create_index('ix_amendment_events_amendment_id', ['amendment_id', 'id'], unique=False)

    op.create_table('amendment_seconds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_seconds_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_amendment_seconds_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_seconds')),
    sa.UniqueConstraint('amendment_id', 'member_id', name=op.f('uq_amendment_seconds_amendment_id_member_id'))
    )
    with op.batch_alter_table('amendment_seconds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_seconds_member_id'), ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('amendment_seconds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_seconds_member_id'))

    op.drop_table('amendment_seconds')
    with op.batch_alter_table('amendment_events', schema=None) as batch_op:
        batch_op.drop_index('ix_amendment_events_amendment_id')

    op.drop_table('amendment_events')
    with op.batch_alter_table('amendment_cosponsors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_cosponsors_member_id'))

    op.drop_table('amendment_cosponsors')
    op.drop_table('draft_paragraphs')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_version_id'))
        batch_op.drop_index(batch_op.f('ix_amendments_proposer_id'))
        batch_op.drop_index('ix_amendments_draft_id_state')
        batch_op.drop_index(batch_op.f('ix_amendments_competition_group_id'))

    op.drop_table('amendments')
    op.drop_table('draft_versions')
    with op.batch_alter_table('draft_conveners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_conveners_member_id'))

    op.drop_table('draft_conveners')
    op.drop_table('competition_groups')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_state'))

    op.drop_table('drafts')
