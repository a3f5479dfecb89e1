"""registrations can be disabled; a registry generation tells every worker about changes

Revision ID: 0014_registration_state
Revises: 0013_rate_limits
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_registration_state"
down_revision = "0013_rate_limits"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("platform") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deployment") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "registry_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_generation")),
    )


def downgrade():
    op.drop_table("registry_generation")
    with op.batch_alter_table("deployment") as batch:
        batch.drop_column("disabled_at")
    with op.batch_alter_table("platform") as batch:
        batch.drop_column("disabled_at")
