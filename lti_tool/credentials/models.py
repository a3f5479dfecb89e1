"""Issued credentials and the Bitstring Status Lists that revoke them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.credentials.status.bitstring import MIN_BITS, StatusPurpose
from lti_tool.db import Base, utcnow

if TYPE_CHECKING:
    from lti_tool.catalogue.models import Unit
    from lti_tool.launch.models import Context, User


class StatusList(Base):
    """One Bitstring Status List (131,072 entries) and its signed list credential, kept ready to serve."""

    __tablename__ = "credential_status_list"

    # Ids are chosen by the service (1, 2, …) so that two workers creating "the next list" collide on the
    # primary key instead of making two lists.
    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(16), default=StatusPurpose.REVOCATION.value)
    # The issuer DID that signs this list; credentials on the list carry the same issuer.
    issuer_id: so.Mapped[str] = so.mapped_column(sa.String(512))
    size: so.Mapped[int] = so.mapped_column(default=MIN_BITS)
    bits: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    next_index: so.Mapped[int] = so.mapped_column(default=0)
    document: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    etag: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Credential(Base):
    """An OpenBadgeCredential issued to one learner for one unit version."""

    __tablename__ = "credential"
    __table_args__ = (
        sa.UniqueConstraint("status_list_pk", "status_index"),
        # Exactly one live credential per (learner, unit version); superseded ones stay for the record.
        sa.Index(
            "uq_credential_live_user_unit",
            "user_pk",
            "unit_pk",
            unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        ),
    )

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id"), index=True)
    unit_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    # The course where it was earned: its teachers may revoke it.
    context_pk: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("context.id", ondelete="SET NULL"), index=True
    )
    status_list_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("credential_status_list.id"))
    status_index: so.Mapped[int] = so.mapped_column()
    document: so.Mapped[dict[str, Any]] = so.mapped_column()
    vc_jwt: so.Mapped[str | None] = so.mapped_column(sa.Text)
    issued_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    revoked_by: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    superseded_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    superseded_by: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("credential.id"))

    status_list: so.Mapped[StatusList] = so.relationship()
    user: so.Mapped[User] = so.relationship("User")
    unit: so.Mapped[Unit] = so.relationship("Unit")
    context: so.Mapped[Context | None] = so.relationship("Context")
