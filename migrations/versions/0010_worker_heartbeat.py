"""worker heartbeats for /health

Revision ID: 0010_worker_heartbeat
Revises: 0009_pilots
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_worker_heartbeat"
down_revision = "0009_pilots"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker_heartbeat",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeat")),
    )


def downgrade():
    op.drop_table("worker_heartbeat")
