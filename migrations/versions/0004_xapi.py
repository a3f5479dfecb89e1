"""xAPI statement outbox

Revision ID: 0004_xapi
Revises: 0001_foundation
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_xapi'
down_revision = '0003_lti_services'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_statement_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statement_outbox')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statement_outbox_statement_id'))
    )
    with op.batch_alter_table('xapi_statement_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statement_outbox_due', ['state', 'next_try_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_outbox_issuer'), ['issuer'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statement_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_outbox_issuer'))
        batch_op.drop_index('ix_xapi_statement_outbox_due')
    op.drop_table('xapi_statement_outbox')
