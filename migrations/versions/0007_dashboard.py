"""dashboard: the record of teachers' attempt resets (a reset attempt has state "reset")

Revision ID: 0007_dashboard
Revises: 0006_uploads
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_dashboard"
down_revision = "0006_uploads"
branch_labels = None
depends_on = None


def upgrade():
    # attempt.state is a String(16) without a CHECK constraint: the new value "reset" needs no column change.
    op.create_table(
        "attempt_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("reset_by_pk", sa.Integer(), nullable=True),
        sa.Column("reset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_state", sa.String(length=16), nullable=False),
        sa.Column("previous_result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], name=op.f("fk_attempt_reset_attempt_id_attempt"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reset_by_pk"], ["lti_user.id"], name=op.f("fk_attempt_reset_reset_by_pk_lti_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_reset")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_attempt_reset_attempt_id")),
    )


def downgrade():
    # Reset attempts would count again toward max_attempts once the record is gone: give them back as submitted.
    op.execute("UPDATE attempt SET state = 'submitted' WHERE state = 'reset'")
    op.drop_table("attempt_reset")
