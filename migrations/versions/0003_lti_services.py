"""lti services: shared access-token cache, grade-sync outbox, NRPS roster cache

Revision ID: 0003_lti_services
Revises: 0001_foundation
Create Date: 2026-11-23 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_lti_services'
down_revision = '0002_credentials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_pk', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('scope_key', sa.String(length=64), nullable=False),
    sa.Column('requested_scopes', sa.JSON(), nullable=False),
    sa.Column('granted_scopes', sa.JSON(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_pk'], ['platform.id'], name=op.f('fk_service_token_platform_pk_platform'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_token')),
    sa.UniqueConstraint('issuer', 'client_id', 'scope_key', name=op.f('uq_service_token_issuer_client_id_scope_key'))
    )
    with op.batch_alter_table('service_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_token_platform_pk'), ['platform_pk'], unique=False)

    op.create_table('grade_sync',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_link_pk', sa.Integer(), nullable=False),
    sa.Column('user_pk', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('score', sa.JSON(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ags_endpoint', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('lineitem_url', sa.String(length=1024), nullable=True),
    sa.Column('posted_timestamp', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['resource_link_pk'], ['resource_link.id'], name=op.f('fk_grade_sync_resource_link_pk_resource_link'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['lti_user.id'], name=op.f('fk_grade_sync_user_pk_lti_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_sync')),
    sa.UniqueConstraint('resource_link_pk', 'user_pk', 'event_id', name=op.f('uq_grade_sync_resource_link_pk_user_pk_event_id'))
    )
    with op.batch_alter_table('grade_sync', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_sync_resource_link_pk'), ['resource_link_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_sync_user_pk'), ['user_pk'], unique=False)
        batch_op.create_index('ix_grade_sync_state_next_try_at', ['state', 'next_try_at'], unique=False)

    op.create_table('roster_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_pk', sa.Integer(), nullable=False),
    sa.Column('memberships_url', sa.String(length=1024), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_pk'], ['context.id'], name=op.f('fk_roster_cache_context_pk_context'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_cache')),
    sa.UniqueConstraint('context_pk', name=op.f('uq_roster_cache_context_pk'))
    )


def downgrade():
    op.drop_table('roster_cache')
    with op.batch_alter_table('grade_sync', schema=None) as batch_op:
        batch_op.drop_index('ix_grade_sync_state_next_try_at')
        batch_op.drop_index(batch_op.f('ix_grade_sync_user_pk'))
        batch_op.drop_index(batch_op.f('ix_grade_sync_resource_link_pk'))

    op.drop_table('grade_sync')
    with op.batch_alter_table('service_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_token_platform_pk'))

    op.drop_table('service_token')
