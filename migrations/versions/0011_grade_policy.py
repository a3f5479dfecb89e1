"""grade policy per placement, practice attempts, the platform's answer to each score

Revision ID: 0011_grade_policy
Revises: 0010_worker_heartbeat
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_grade_policy"
down_revision = "0010_worker_heartbeat"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("resource_link") as batch:
        batch.add_column(sa.Column("grade_policy", sa.String(length=16), nullable=False, server_default="best"))
    with op.batch_alter_table("attempt") as batch:
        batch.add_column(sa.Column("practice", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("grade_sync") as batch:
        batch.add_column(sa.Column("platform_answer", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("grade_sync") as batch:
        batch.drop_column("platform_answer")
    with op.batch_alter_table("attempt") as batch:
        batch.drop_column("practice")
    with op.batch_alter_table("resource_link") as batch:
        batch.drop_column("grade_policy")
