"""personal access tokens for the API

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 14:50:00

Only the SHA-256 of each token is stored; its first characters tell a member's tokens apart.
"""

import sqlalchemy as sa
from alembic import op

from deliberate.database import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("scopes <> ''", name=op.f("ck_api_tokens_scopes_given")),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_api_tokens_expires_after_creation")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_api_tokens_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index("ix_api_tokens_member_id", "api_tokens", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_tokens_member_id", table_name="api_tokens")
    op.drop_table("api_tokens")
