"""OpenID4VCI credential offers and wallet nonces

Revision ID: 0015_wallet_offers
Revises: 0014_registration_state
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_wallet_offers"
down_revision = "0014_registration_state"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credential_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_failures", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"],
                                name=op.f("fk_credential_offer_credential_id_credential"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_offer")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_credential_offer_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credential_offer_token_hash")),
    )
    op.create_index(op.f("ix_credential_offer_credential_id"), "credential_offer", ["credential_id"])
    op.create_table(
        "wallet_nonce",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_wallet_nonce")),
    )
    op.create_index(op.f("ix_wallet_nonce_expires_at"), "wallet_nonce", ["expires_at"])


def downgrade():
    op.drop_index(op.f("ix_wallet_nonce_expires_at"), table_name="wallet_nonce")
    op.drop_table("wallet_nonce")
    op.drop_index(op.f("ix_credential_offer_credential_id"), table_name="credential_offer")
    op.drop_table("credential_offer")
