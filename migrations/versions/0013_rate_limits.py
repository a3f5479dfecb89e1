"""rate-limit windows shared by every worker

Revision ID: 0013_rate_limits
Revises: 0012_deep_link_placement
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_rate_limits"
down_revision = "0012_deep_link_placement"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_window",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_window")),
    )
    op.create_index(op.f("ix_rate_limit_window_expires_at"), "rate_limit_window", ["expires_at"])


def downgrade():
    op.drop_index(op.f("ix_rate_limit_window_expires_at"), table_name="rate_limit_window")
    op.drop_table("rate_limit_window")
