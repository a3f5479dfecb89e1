"""Credential offers (single-use, short-lived) and the nonces wallets sign their proofs over."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow

if TYPE_CHECKING:
    from lti_tool.credentials.models import Credential


class CredentialOffer(Base):
    """One offer of one learner's credential to a wallet: its pre-authorized code, access token and outcome.

    Codes and tokens are stored only as sha256 hashes. Each step is a conditional UPDATE on this row, so the code
    is exchanged once and the credential issued once, however many requests race.
    """

    __tablename__ = "credential_offer"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    credential_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("credential.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    tx_code_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    tx_code_failures: so.Mapped[int] = so.mapped_column(default=0)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column()
    code_used_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    token_expires_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    issued_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    holder: so.Mapped[str | None] = so.mapped_column(sa.Text)
    format: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    credential: so.Mapped[Credential] = so.relationship("Credential")


class WalletNonce(Base):
    """A c_nonce from the nonce endpoint: a proof must sign one, and each is accepted once."""

    __tablename__ = "wallet_nonce"

    nonce_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(index=True)
