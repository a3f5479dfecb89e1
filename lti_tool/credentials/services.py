"""Issue, reissue, revoke and look up credentials; exactly one live credential per (learner, unit version).

The caller owns the transaction (a view or the assessment service commits). Concurrent issuances for the
same learner and unit serialise on the status list row (see status_store), re-check after taking it, and
give the index back when another one won; the partial unique index is the last line of defence.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.credentials.issuing.builder import LearnerInfo, build_credential, without_control_characters
from lti_tool.credentials.issuing.unit_facts import OutcomeResult, credential_language, overall_score, unit_info
from lti_tool.credentials.models import Credential
from lti_tool.credentials.proof import dataintegrity, vcjwt
from lti_tool.credentials.proof.contexts import CREDENTIAL_CONTEXT
from lti_tool.credentials.proof.fast_proof import sign_fast
from lti_tool.credentials.runtime import CredentialEnv, current_env
from lti_tool.credentials.status import store as status_store
from lti_tool.credentials.status.bitstring import status_entry
from lti_tool.events import CredentialRevoked, publish
from lti_tool.launch.models import Context, User

CREDENTIAL_PATH = "/credentials/"
SUPERSEDED_REASON = "superseded by a reissued credential"


class CredentialRefused(ValueError):
    """The credential cannot be issued as asked (the learner did not master the unit, unknown outcomes…)."""


def credential_url(base_url: str, credential_id: str) -> str:
    """The credential's id and the address of its public verification page."""
    return f"{base_url.rstrip('/')}{CREDENTIAL_PATH}{credential_id}"


def live_credential(session: so.Session, user_pk: int, unit_pk: int) -> Credential | None:
    """The current (not superseded) credential of a learner for a unit version."""
    return session.scalar(
        sa.select(Credential).where(
            Credential.user_pk == user_pk, Credential.unit_pk == unit_pk, Credential.superseded_at.is_(None)
        )
    )


def learner_info(user: User) -> LearnerInfo:
    """The learner as the credential names them (fresh salt per credential, so hashes do not link)."""
    return LearnerInfo(home_page=user.issuer, sub=user.sub, salt=secrets.token_hex(8),
                       name=user.printed_name or None, email=user.email or None)


def _achievement_base(env: CredentialEnv) -> str:
    return f"{env.base_url}/achievements"


def _build_and_sign(env: CredentialEnv, credential_id: str, user: User, unit: Unit,
                    results: Sequence[OutcomeResult], list_id: int, index: int, now: dt.datetime) -> dict[str, Any]:
    # qualityAssuranceBody is an IRI (@type @id in the MASTERY context): the awarding body itself reviews.
    info = unit_info(unit.doc, results, quality_assurance_body=env.issuer.did,
                     language=credential_language(unit.doc, user.locale))
    unsigned = build_credential(
        credential_id=credential_url(env.base_url, credential_id),
        issuer=env.issuer.info(),
        learner=learner_info(user),
        unit=info,
        overall_score=overall_score(results),
        issued=now,
        achievement_base_url=_achievement_base(env),
        status=status_entry(status_store.list_url(env.base_url, list_id), index),
    )
    unsigned = without_control_characters(unsigned)
    # Our own credential shape: the fast canonicaliser (proven byte-identical to pyld; falls back to pyld).
    return sign_fast(unsigned, env.issuer.keys.current.private_key, env.issuer.current_method, now)


def _insert(session: so.Session, env: CredentialEnv, user: User, unit: Unit, results: Sequence[OutcomeResult],
            context: Context | None, now: dt.datetime, list_id: int, index: int) -> Credential:
    credential_id = str(uuid.uuid4())
    document = _build_and_sign(env, credential_id, user, unit, results, list_id, index, now)
    credential = Credential(id=credential_id, user_pk=user.id, unit_pk=unit.id,
                            context_pk=context.id if context is not None else None, status_list_pk=list_id,
                            status_index=index, document=document, issued_at=now)
    session.add(credential)
    session.flush()
    return credential


def issue_for_mastery(session: so.Session, user: User, unit: Unit, outcome_results: Iterable[OutcomeResult], *,
                      now: dt.datetime, context: Context | None = None,
                      env: CredentialEnv | None = None) -> Credential:
    """The learner's credential for this unit version: the existing live one, or a newly signed one."""
    results = list(outcome_results)
    if not results or not all(result.met for result in results):
        raise CredentialRefused("a credential is issued only when every learning outcome is met")
    existing = live_credential(session, user.id, unit.id)
    if existing is not None:
        return existing
    env = env or current_env()
    list_id, index = status_store.allocate_index(session, env.issuer, env.base_url, now)
    # We now hold the list row: any competing issuance either committed before (seen here) or waits for us.
    existing = live_credential(session, user.id, unit.id)
    if existing is not None:
        status_store.release_index(session, list_id, index)
        return existing
    return _insert(session, env, user, unit, results, context, now, list_id, index)


def results_of(credential: Credential) -> list[OutcomeResult]:
    """The per-outcome results recorded in a credential (for a reissue that changes only other data)."""
    subject = credential.document.get("credentialSubject", {})
    by_description = {r.get("resultDescription"): r for r in subject.get("result", []) if isinstance(r, Mapping)}
    found = []
    for outcome_id in credential.unit.doc.outcome_ids:
        suffix = f"/results/{outcome_id}"
        result = next((r for key, r in by_description.items() if str(key).endswith(suffix)), None)
        if result is None:
            raise CredentialRefused(f"credential {credential.id} has no result for outcome {outcome_id}")
        found.append(OutcomeResult(outcome_id, float(result["value"]) / 100, result.get("status") == "Completed"))
    return found


def reissue(session: so.Session, old: Credential, *, now: dt.datetime, by: str,
            outcome_results: Iterable[OutcomeResult] | None = None, env: CredentialEnv | None = None) -> Credential:
    """A new credential from today's learner data (say, a corrected name); the old one is superseded and revoked."""
    if old.superseded_at is not None:
        raise CredentialRefused(f"credential {old.id} was already superseded by {old.superseded_by}")
    env = env or current_env()
    results = list(outcome_results) if outcome_results is not None else results_of(old)
    list_id, index = status_store.allocate_index(session, env.issuer, env.base_url, now)
    revoke(session, old, SUPERSEDED_REASON, by, now=now, env=env)
    old.superseded_at = now
    session.flush()  # frees the (learner, unit) slot of the partial unique index
    new = _insert(session, env, old.user, old.unit, results, old.context, now, list_id, index)
    old.superseded_by = new.id
    session.flush()
    return new


def has_old_contexts(credential: Credential) -> bool:
    """True for a credential whose @context is not today's (standard contexts + the embedded one)."""
    return credential.document.get("@context") != CREDENTIAL_CONTEXT


def old_shape_credentials(session: so.Session) -> list[Credential]:
    """Live credentials issued with an older @context (e.g. the unregistered w3id.org/mastery one), oldest first."""
    live = session.scalars(sa.select(Credential).where(Credential.superseded_at.is_(None))
                           .order_by(Credential.issued_at, Credential.id))
    return [credential for credential in live if has_old_contexts(credential)]


def revoke(session: so.Session, credential: Credential, reason: str, by: str, *, now: dt.datetime,
           env: CredentialEnv | None = None) -> bool:
    """Revoke: set its status bit and re-sign the list. False (and nothing changes) when already revoked.

    The decision is one conditional UPDATE (it takes the row lock): of concurrent revocations exactly one
    changes the row, and only that one sets the bit and publishes CredentialRevoked (the learning record).
    """
    reason = reason.strip()
    if not reason:
        raise CredentialRefused("a revocation needs a reason")
    won = session.execute(
        sa.update(Credential).where(Credential.id == credential.id, Credential.revoked_at.is_(None))
        .values(revoked_at=now, revocation_reason=reason[:2000], revoked_by=by[:255])
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has it
    session.refresh(credential)
    if won != 1:
        return False
    env = env or current_env()
    status_store.set_bit(session, credential.status_list_pk, credential.status_index, env.issuer, env.base_url, now)
    publish(session, CredentialRevoked(credential=credential, at=now))
    return True


def vc_jwt(session: so.Session, credential: Credential, env: CredentialEnv | None = None) -> str:
    """The credential as a VC-JWT (EdDSA, ``kid`` = verification method), made once and kept."""
    if credential.vc_jwt:
        return credential.vc_jwt
    env = env or current_env()
    issuer_id = dataintegrity.issuer_id(credential.document) or ""
    key = env.issuer.key_for_issuer(issuer_id)
    if key is None:
        raise CredentialRefused(f"no signing key for issuer {issuer_id}")
    unsecured = {k: v for k, v in credential.document.items() if k != "proof"}
    credential.vc_jwt = vcjwt.encode(unsecured, key.private_key, env.issuer.method_id(key))
    session.flush()
    return credential.vc_jwt


def own_credential(session: so.Session, base_url: str, credential_id: Any) -> Credential | None:
    """Our record of a credential named by its id (``{base_url}/credentials/<uuid>``), or None for anyone else's."""
    prefix = credential_url(base_url, "")
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    try:
        return session.get(Credential, str(uuid.UUID(credential_id[len(prefix):])))
    except ValueError:
        return None


def unit_version(session: so.Session, slug: str, version: str) -> Unit | None:
    """One version of a unit (for its achievement's badge), or None."""
    return session.scalar(sa.select(Unit).where(Unit.slug == slug[:128], Unit.version == version[:32]))


def get_credential(session: so.Session, credential_id: str) -> Credential | None:
    """A credential by its uuid."""
    return session.get(Credential, credential_id)


def credentials_of(session: so.Session, user_pk: int) -> list[Credential]:
    """A learner's live credentials, newest first (revoked ones included, marked as such)."""
    return list(session.scalars(
        sa.select(Credential).where(Credential.user_pk == user_pk, Credential.superseded_at.is_(None))
        .order_by(Credential.issued_at.desc(), Credential.id)
    ))


def credential_for(session: so.Session, user_pk: int, unit_pk: int) -> Credential | None:
    """The learner's live credential for one unit version (what the results page links to), or None."""
    return session.scalar(sa.select(Credential).where(
        Credential.user_pk == user_pk, Credential.unit_pk == unit_pk, Credential.superseded_at.is_(None)))


def credentials_of_context(session: so.Session, context_pk: int) -> list[Credential]:
    """The live credentials earned in a course, newest first."""
    return list(session.scalars(
        sa.select(Credential).where(Credential.context_pk == context_pk, Credential.superseded_at.is_(None))
        .order_by(Credential.issued_at.desc(), Credential.id)
    ))
