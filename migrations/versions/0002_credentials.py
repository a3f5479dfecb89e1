"""credentials: issued OpenBadgeCredentials and Bitstring Status Lists

Revision ID: 0002_credentials
Revises: 0001_foundation
Create Date: 2026-11-23 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_credentials'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credential_status_list',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('issuer_id', sa.String(length=512), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('next_index', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=True),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_status_list'))
    )
    op.create_table('credential',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_pk', sa.Integer(), nullable=False),
    sa.Column('unit_pk', sa.Integer(), nullable=False),
    sa.Column('context_pk', sa.Integer(), nullable=True),
    sa.Column('status_list_pk', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('vc_jwt', sa.Text(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by', sa.String(length=255), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['context_pk'], ['context.id'], name=op.f('fk_credential_context_pk_context'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['status_list_pk'], ['credential_status_list.id'], name=op.f('fk_credential_status_list_pk_credential_status_list')),
    sa.ForeignKeyConstraint(['superseded_by'], ['credential.id'], name=op.f('fk_credential_superseded_by_credential')),
    sa.ForeignKeyConstraint(['unit_pk'], ['unit.id'], name=op.f('fk_credential_unit_pk_unit')),
    sa.ForeignKeyConstraint(['user_pk'], ['lti_user.id'], name=op.f('fk_credential_user_pk_lti_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential')),
    sa.UniqueConstraint('status_list_pk', 'status_index', name=op.f('uq_credential_status_list_pk_status_index'))
    )
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_context_pk'), ['context_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_unit_pk'), ['unit_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_user_pk'), ['user_pk'], unique=False)
        # One live credential per (learner, unit version); superseded ones are kept for the record.
        batch_op.create_index('uq_credential_live_user_unit', ['user_pk', 'unit_pk'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))


def downgrade():
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_index('uq_credential_live_user_unit')
        batch_op.drop_index(batch_op.f('ix_credential_user_pk'))
        batch_op.drop_index(batch_op.f('ix_credential_unit_pk'))
        batch_op.drop_index(batch_op.f('ix_credential_context_pk'))
    op.drop_table('credential')
    op.drop_table('credential_status_list')
