"""units placed through Deep Linking are recorded before their first launch

Revision ID: 0012_deep_link_placement
Revises: 0011_grade_policy
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_deep_link_placement"
down_revision = "0011_grade_policy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deep_link_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_pk", sa.Integer(), nullable=False),
        sa.Column("unit_slug", sa.String(length=128), nullable=False),
        sa.Column("unit_version", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("placed_by_pk", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["context_pk"], ["context.id"], name=op.f("fk_deep_link_placement_context_pk_context"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["placed_by_pk"], ["lti_user.id"],
                                name=op.f("fk_deep_link_placement_placed_by_pk_lti_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deep_link_placement")),
    )
    with op.batch_alter_table("deep_link_placement") as batch:
        batch.create_index(batch.f("ix_deep_link_placement_context_pk"), ["context_pk"], unique=False)


def downgrade():
    with op.batch_alter_table("deep_link_placement") as batch:
        batch.drop_index(batch.f("ix_deep_link_placement_context_pk"))
    op.drop_table("deep_link_placement")
