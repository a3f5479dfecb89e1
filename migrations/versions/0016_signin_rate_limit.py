"""coordinator sign-in counts failures through lti_tool.bounds' rate limit: signin_failure goes

Revision ID: 0016_signin_rate_limit
Revises: 0015_wallet_offers
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_signin_rate_limit"
down_revision = "0015_wallet_offers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signin_failure") as batch:
        batch.drop_index(batch.f("ix_signin_failure_client_hash"))
        batch.drop_index(batch.f("ix_signin_failure_at"))
    op.drop_table("signin_failure")


def downgrade():
    op.create_table(
        "signin_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failure")),
    )
    with op.batch_alter_table("signin_failure") as batch:
        batch.create_index(batch.f("ix_signin_failure_at"), ["at"], unique=False)
        batch.create_index(batch.f("ix_signin_failure_client_hash"), ["client_hash"], unique=False)
