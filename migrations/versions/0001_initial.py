"""initial schema: members, invitations, tendencies, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 18:53:28.904329

"""
from alembic import op
import sqlalchemy as sa

import deliberate.database


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('joined_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.CheckConstraint("role IN ('member', 'convener', 'admin')", name=op.f('ck_members_role_known')),
    sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f('ck_members_status_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_members_email_lowercase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('email', name=op.f('uq_members_email'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_audit_entries_actor_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_created_at'), ['created_at'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['members.id'], name=op.f('fk_password_resets_issued_by_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_password_resets_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index('ix_password_resets_member_id', ['member_id'], unique=False)

    op.create_table('tendencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('line_markdown', sa.Text(), nullable=False),
    sa.Column('line_html', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_tendencies_created_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tendencies')),
    sa.UniqueConstraint('name', name=op.f('uq_tendencies_name'))
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['members.id'], name=op.f('fk_invitations_invited_by_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_invitations_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_invitations_tendency_id_tendencies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_email'), ['email'], unique=False)

    op.create_table('join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'approved', 'declined', 'withdrawn')", name=op.f('ck_join_requests_state_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['members.id'], name=op.f('fk_join_requests_decided_by_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_join_requests_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_join_requests_tendency_id_tendencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_tendency_id'), ['tendency_id'], unique=False)
        batch_op.create_index('uq_join_requests_pending', ['tendency_id', 'member_id'], unique=True, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    op.create_table('tendency_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('joined_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint("role IN ('member', 'coordinator')", name=op.f('ck_tendency_memberships_role_known')),
    sa.CheckConstraint('left_at IS NULL OR left_at >= joined_at', name=op.f('ck_tendency_memberships_left_after_joined')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_tendency_memberships_member_id_members')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_tendency_memberships_tendency_id_tendencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tendency_memberships'))
    )
    with op.batch_alter_table('tendency_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_tendency_memberships_tendency_id', ['tendency_id'], unique=False)
        batch_op.create_index('uq_tendency_memberships_current_member', ['member_id'], unique=True, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))



def downgrade():
    with op.batch_alter_table('tendency_memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_tendency_memberships_current_member', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index('ix_tendency_memberships_tendency_id')

    op.drop_table('tendency_memberships')
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_join_requests_pending', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_join_requests_tendency_id'))
        batch_op.drop_index(batch_op.f('ix_join_requests_member_id'))

    op.drop_table('join_requests')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_email'))

    op.drop_table('invitations')
    op.drop_table('tendencies')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index('ix_password_resets_member_id')

    op.drop_table('password_resets')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    op.drop_table('members')
