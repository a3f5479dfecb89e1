"""the name credentials print, given by the learner or corrected by a teacher

Revision ID: 0017_credential_name
Revises: 0016_signin_rate_limit
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_credential_name"
down_revision = "0016_signin_rate_limit"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lti_user") as batch:
        batch.add_column(sa.Column("credential_name", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("credential_name_source", sa.String(length=16), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("lti_user") as batch:
        batch.drop_column("credential_name_source")
        batch.drop_column("credential_name")
