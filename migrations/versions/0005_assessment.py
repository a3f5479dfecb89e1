"""assessment: attempts, autosaved responses, practical reviews

Revision ID: 0005_assessment
Revises: 0004_xapi
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_assessment"
down_revision = "0004_xapi"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attempt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("context_pk", sa.Integer(), nullable=False),
        sa.Column("resource_link_pk", sa.Integer(), nullable=False),
        sa.Column("unit_pk", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("mastered", sa.Boolean(), nullable=False),
        sa.Column("pending_review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["context_pk"], ["context.id"], name=op.f("fk_attempt_context_pk_context"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resource_link_pk"], ["resource_link.id"],
                                name=op.f("fk_attempt_resource_link_pk_resource_link"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_pk"], ["unit.id"], name=op.f("fk_attempt_unit_pk_unit"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_pk"], ["lti_user.id"], name=op.f("fk_attempt_user_pk_lti_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
        sa.UniqueConstraint("user_pk", "resource_link_pk", "number", name=op.f("uq_attempt_user_pk_resource_link_pk_number")),
    )
    op.create_index(op.f("ix_attempt_user_pk"), "attempt", ["user_pk"], unique=False)
    op.create_index(op.f("ix_attempt_context_pk"), "attempt", ["context_pk"], unique=False)
    op.create_table(
        "attempt_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], name=op.f("fk_attempt_response_attempt_id_attempt"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_response")),
        sa.UniqueConstraint("attempt_id", "item_id", name=op.f("uq_attempt_response_attempt_id_item_id")),
    )
    op.create_index(op.f("ix_attempt_response_attempt_id"), "attempt_response", ["attempt_id"], unique=False)
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer_pk", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], name=op.f("fk_review_attempt_id_attempt"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_pk"], ["lti_user.id"], name=op.f("fk_review_reviewer_pk_lti_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("attempt_id", "item_id", name=op.f("uq_review_attempt_id_item_id")),
    )
    op.create_index(op.f("ix_review_attempt_id"), "review", ["attempt_id"], unique=False)


def downgrade():
    op.drop_table("review")
    op.drop_table("attempt_response")
    op.drop_table("attempt")
