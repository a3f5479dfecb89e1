"""Other forms of an issued credential: the PDF certificate, a QR code of its page, the ELM v3 export."""

from __future__ import annotations

from typing import Any

from lti_tool.credentials.exports.elm import build_elm
from lti_tool.credentials.exports.pdf import Revocation, certificate_pdf
from lti_tool.credentials.exports.qr import qr_svg
from lti_tool.credentials.issuing.unit_facts import CREDENTIAL_LANGUAGE, overall_score, unit_info
from lti_tool.credentials.models import Credential
from lti_tool.credentials.runtime import CredentialEnv
from lti_tool.credentials.services import credential_url, learner_info, results_of


def certificate(credential: Credential, env: CredentialEnv) -> bytes:
    """A printable PDF with the Annex I elements in plain language and a QR code to the public page."""
    revocation = (Revocation(credential.revoked_at, credential.revocation_reason or "no reason was given")
                  if credential.revoked_at is not None else None)
    return certificate_pdf(credential.document, credential_url(env.base_url, credential.id), revocation=revocation)


def page_qr_svg(credential: Credential, env: CredentialEnv) -> str:
    """An SVG QR code of the public verification page."""
    return qr_svg(credential_url(env.base_url, credential.id), title="MASTERY credential verification page")


def issued_language(credential: Credential) -> str:
    """The language the signed credential was issued in (its achievement's ``inLanguage``), for its exports."""
    achievement = credential.document.get("credentialSubject", {}).get("achievement", {})
    language = achievement.get("inLanguage") if isinstance(achievement, dict) else None
    return language if isinstance(language, str) and language else CREDENTIAL_LANGUAGE


def elm_document(credential: Credential, env: CredentialEnv) -> dict[str, Any]:
    """The unsigned ELM v3 (Europass) JSON-LD of the credential, ready for a Europass e-seal."""
    results = results_of(credential)
    return build_elm(
        credential_id=credential_url(env.base_url, credential.id),
        issuer=env.issuer.info(),
        learner=learner_info(credential.user),
        unit=unit_info(credential.unit.doc, results, quality_assurance_body=env.issuer.did,
                       language=issued_language(credential)),
        overall_score=overall_score(results),
        issued=credential.issued_at,
        verification_url=credential_url(env.base_url, credential.id),
    )
