"""placements keep their unit version

Revision ID: 0008_placement_version
Revises: 0007_dashboard
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_placement_version"
down_revision = "0007_dashboard"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("resource_link") as batch:
        batch.add_column(sa.Column("unit_pk", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("requested_version", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_resource_link_unit_pk_unit"), "unit", ["unit_pk"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("resource_link") as batch:
        batch.drop_constraint(op.f("fk_resource_link_unit_pk_unit"), type_="foreignkey")
        batch.drop_column("requested_version")
        batch.drop_column("unit_pk")
