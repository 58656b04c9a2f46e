"""position papers (revisions, signatures) and threaded comments (revisions)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:06:53.275931

"""
from alembic import op
import sqlalchemy as sa

import deliberate.database


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('root_id', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=671), nullable=False),
    sa.Column('paragraph', sa.Integer(), nullable=True),
    sa.Column('anchor_version', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_tendency_id', sa.Integer(), nullable=True),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revision_count', sa.Integer(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('deleted_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("subject_type IN ('draft', 'amendment', 'paper', 'vote')", name=op.f('ck_comments_subject_type_known')),
    sa.CheckConstraint('(parent_id IS NULL AND depth = 0) OR (parent_id IS NOT NULL AND depth > 0)', name=op.f('ck_comments_parent_depth')),
    sa.CheckConstraint('depth >= 0 AND depth <= 60', name=op.f('ck_comments_depth_range')),
    sa.CheckConstraint('hidden_at IS NULL OR (hidden_reason IS NOT NULL AND hidden_by_id IS NOT NULL)', name=op.f('ck_comments_hidden_has_reason')),
    sa.CheckConstraint('paragraph IS NULL OR paragraph >= 1', name=op.f('ck_comments_paragraph_positive')),
    sa.CheckConstraint('reply_count >= 0', name=op.f('ck_comments_reply_count_positive')),
    sa.CheckConstraint('revision_count >= 1', name=op.f('ck_comments_revision_count_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_comments_author_id_members')),
    sa.ForeignKeyConstraint(['author_tendency_id'], ['tendencies.id'], name=op.f('fk_comments_author_tendency_id_tendencies')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_comments_hidden_by_id_members')),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_author_id', ['author_id'], unique=False)
        batch_op.create_index('ix_comments_parent_id', ['parent_id'], unique=False)
        batch_op.create_index('ix_comments_thread_path', ['subject_type', 'subject_id', 'path'], unique=False)
        batch_op.create_index('ix_comments_thread_root', ['subject_type', 'subject_id', 'root_id'], unique=False)

    op.create_table('position_papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tendency_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.Column('first_public_revision', sa.Integer(), nullable=True),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', deliberate.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state <> 'superseded' OR superseded_by_id IS NOT NULL", name=op.f('ck_position_papers_superseded_has_successor')),
    sa.CheckConstraint("state = 'drafting' OR (published_at IS NOT NULL AND first_public_revision IS NOT NULL) OR state = 'withdrawn'", name=op.f('ck_position_papers_published_has_date')),
    sa.CheckConstraint("state IN ('drafting', 'published', 'superseded', 'withdrawn')", name=op.f('ck_position_papers_state_known')),
    sa.CheckConstraint("subject_type IN ('draft', 'amendment', 'vote')", name=op.f('ck_position_papers_subject_type_known')),
    sa.CheckConstraint('current_revision >= 1', name=op.f('ck_position_papers_current_revision_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_position_papers_created_by_id_members')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['position_papers.id'], name=op.f('fk_position_papers_superseded_by_id_position_papers')),
    sa.ForeignKeyConstraint(['tendency_id'], ['tendencies.id'], name=op.f('fk_position_papers_tendency_id_tendencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_papers'))
    )
    with op.batch_alter_table('position_papers', schema=None) as batch_op:
        batch_op.create_index('ix_position_papers_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.create_index('ix_position_papers_tendency_id', ['tendency_id'], unique=False)
        batch_op.create_index('uq_position_papers_current', ['tendency_id', 'subject_type', 'subject_id'], unique=True, sqlite_where=sa.text("state = 'published'"), postgresql_where=sa.text("state = 'published'"))

    op.create_table('comment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_revisions_comment_id_comments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revisions')),
    sa.UniqueConstraint('comment_id', 'number', name=op.f('uq_comment_revisions_comment_id_number'))
    )
    op.create_table('paper_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_paper_revisions_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_paper_revisions_created_by_id_members')),
    sa.ForeignKeyConstraint(['paper_id'], ['position_papers.id'], name=op.f('fk_paper_revisions_paper_id_position_papers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_revisions')),
    sa.UniqueConstraint('paper_id', 'number', name=op.f('uq_paper_revisions_paper_id_number'))
    )
    op.create_table('paper_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('signed_at', deliberate.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_paper_signatures_member_id_members')),
    sa.ForeignKeyConstraint(['paper_id'], ['position_papers.id'], name=op.f('fk_paper_signatures_paper_id_position_papers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_signatures')),
    sa.UniqueConstraint('paper_id', 'member_id', name=op.f('uq_paper_signatures_paper_id_member_id'))
    )
    with op.batch_alter_table('paper_signatures', schema=None) as batch_op:
        batch_op.create_index('ix_paper_signatures_member_id', ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('paper_signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_paper_signatures_member_id')

    op.drop_table('paper_signatures')
    op.drop_table('paper_revisions')
    op.drop_table('comment_revisions')
    with op.batch_alter_table('position_papers', schema=None) as batch_op:
        batch_op.drop_index('uq_position_papers_current', sqlite_where=sa.text("state = 'published'"), postgresql_where=sa.text("state = 'published'"))
        batch_op.drop_index('ix_position_papers_tendency_id')
        batch_op.drop_index('ix_position_papers_subject')

    op.drop_table('position_papers')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_thread_root')
        batch_op.drop_index('ix_comments_thread_path')
        batch_op.drop_index('ix_comments_parent_id')
        batch_op.drop_index('ix_comments_author_id')

    op.drop_table('comments')
