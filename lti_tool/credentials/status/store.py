"""Status lists in the database: index allocation that never reuses or skips, and revocation bits.

Allocation is one ``UPDATE … SET next_index = next_index + 1 … RETURNING`` on the list row: the row lock
it takes (PostgreSQL) or the database write lock (SQLite) serialises issuers until commit, and a rollback
gives the index back, so concurrent issuances get consecutive, distinct indices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.credentials.issuing.issuer import Issuer
from lti_tool.credentials.models import StatusList
from lti_tool.credentials.proof import dataintegrity
from lti_tool.credentials.status.bitstring import MIN_BITS, Bitstring, StatusPurpose, status_list_credential

STATUS_PATH = "/credentials/status/"


class StatusListUnavailable(RuntimeError):
    """A list cannot be (re)signed: the key of the issuer that signed it is gone."""


def list_url(base_url: str, list_id: int) -> str:
    """The public URL of a status list credential."""
    return f"{base_url.rstrip('/')}{STATUS_PATH}{list_id}"


def _etag(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def sign_list(row: StatusList, issuer: Issuer, base_url: str, now: dt.datetime) -> None:
    """(Re)build and sign the list credential of ``row`` from its bits, with the key of the list's issuer."""
    key = issuer.key_for_issuer(row.issuer_id)
    if key is None:
        raise StatusListUnavailable(f"no signing key for status list {row.id} (issuer {row.issuer_id})")
    unsigned = status_list_credential(
        list_url(base_url, row.id), row.issuer_id, Bitstring(bytearray(row.bits)), now, StatusPurpose(row.purpose)
    )
    method = issuer.method_id(key)
    row.document = dataintegrity.sign(unsigned, key.private_key, method, now)
    row.etag = _etag(row.document)
    row.updated_at = now


def _insert_list(session: so.Session, list_id: int, issuer: Issuer, base_url: str, now: dt.datetime) -> None:
    # Two workers may both decide that list N is needed: ON CONFLICT DO NOTHING lets one of them make it.
    empty = StatusList(id=list_id, purpose=StatusPurpose.REVOCATION.value, issuer_id=issuer.did, size=MIN_BITS,
                       bits=bytes(MIN_BITS // 8), next_index=0)
    sign_list(empty, issuer, base_url, now)
    values = {
        "id": list_id, "purpose": empty.purpose, "issuer_id": empty.issuer_id, "size": empty.size,
        "bits": empty.bits, "next_index": 0, "document": empty.document, "etag": empty.etag, "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(StatusList).values(**values).on_conflict_do_nothing(index_elements=["id"]))


_LIST_CREATION_LOCK = 0x4D415354  # an advisory-lock key of our own ("MAST")


def _create_list_once(session: so.Session, issuer: Issuer, base_url: str, now: dt.datetime) -> int:
    """The list to use when none has room: made by one transaction only, even when many find none at once.

    Without the lock, a transaction that read "no list" before another committed list N, and "newest is N"
    after, would make list N+1 for nothing (measured: 20 concurrent first issuances made two lists).
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LIST_CREATION_LOCK})
    else:
        raw = conn.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")  # SQLite: take the single write lock before deciding
    existing = session.scalar(sa.select(sa.func.min(StatusList.id)).where(
        StatusList.issuer_id == issuer.did, StatusList.next_index < StatusList.size))
    if existing is not None:
        return int(existing)
    list_id = (session.scalar(sa.select(sa.func.max(StatusList.id))) or 0) + 1
    _insert_list(session, list_id, issuer, base_url, now)
    return list_id


def allocate_index(session: so.Session, issuer: Issuer, base_url: str, now: dt.datetime) -> tuple[int, int]:
    """Take the next free (list id, index) for ``issuer``; held (locked) until the transaction ends.

    One round trip while a list has room: the UPDATE picks the lowest such list itself. Its row lock re-checks
    ``next_index < size`` on the row as it stands once the lock is held (a list filled meanwhile gives no row).
    """
    for _ in range(8):
        with_room = sa.select(sa.func.min(StatusList.id)).where(
            StatusList.issuer_id == issuer.did, StatusList.next_index < StatusList.size).scalar_subquery()
        taken = session.execute(
            sa.update(StatusList)
            .where(StatusList.id == with_room, StatusList.issuer_id == issuer.did,
                   StatusList.next_index < StatusList.size)
            .values(next_index=StatusList.next_index + 1)
            .returning(StatusList.id, StatusList.next_index),
            execution_options={"synchronize_session": False},
        ).first()
        if taken is not None:
            return int(taken[0]), int(taken[1]) - 1
        list_id = _create_list_once(session, issuer, base_url, now)
        index = session.execute(
            sa.update(StatusList)
            .where(StatusList.id == list_id, StatusList.issuer_id == issuer.did,
                   StatusList.next_index < StatusList.size)
            .values(next_index=StatusList.next_index + 1)
            .returning(StatusList.next_index),
            execution_options={"synchronize_session": False},
        ).scalar()
        if index is not None:
            return list_id, index - 1
    raise StatusListUnavailable("could not allocate a status list index (lists full or contended)")


def release_index(session: so.Session, list_id: int, index: int) -> None:
    """Give back the index just allocated in this transaction (we still hold the row lock)."""
    session.execute(
        sa.update(StatusList)
        .where(StatusList.id == list_id, StatusList.next_index == index + 1)
        .values(next_index=index),
        execution_options={"synchronize_session": False},
    )


def locked_list(session: so.Session, list_id: int) -> StatusList:
    """The list row, locked for update and freshly read."""
    row = session.scalar(
        sa.select(StatusList).where(StatusList.id == list_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise StatusListUnavailable(f"status list {list_id} does not exist")
    return row


def set_bit(session: so.Session, list_id: int, index: int, issuer: Issuer, base_url: str,
            now: dt.datetime) -> bool:
    """Set bit ``index`` of a list and re-sign it; False when the bit was already set."""
    row = locked_list(session, list_id)
    bits = Bitstring(bytearray(row.bits))
    if bits.get(index):
        return False
    bits.set(index)
    row.bits = bytes(bits.data)
    sign_list(row, issuer, base_url, now)
    return True


def get_list(session: so.Session, list_id: int) -> StatusList | None:
    """A status list by id."""
    return session.get(StatusList, list_id)
