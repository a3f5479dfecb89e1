"""outbox rows know their tenant (client id and deployment), so admin pages are scoped to it

Revision ID: 0018_outbox_tenant
Revises: 0017_credential_name
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_outbox_tenant"
down_revision = "0017_credential_name"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("xapi_statement_outbox") as batch:
        batch.add_column(sa.Column("client_id", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("deployment_id", sa.String(length=255), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("xapi_statement_outbox") as batch:
        batch.drop_column("deployment_id")
        batch.drop_column("client_id")
