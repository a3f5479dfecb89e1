"""Sharing a credential: LinkedIn's add-certification link, and the unit's texts in the learner's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from lti_tool.catalogue.unit_texts import Text, localized
from lti_tool.credentials.models import Credential

# LinkedIn's "Add to profile" link for a licence or certification (its documented startTask).
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(credential: Credential, page_url: str) -> str:
    """The link that opens LinkedIn's add-certification form filled in: name, issuer, issue date, page URL."""
    document = credential.document
    issuer = document.get("issuer")
    organisation = issuer.get("name", "") if isinstance(issuer, dict) else ""
    achievement = document.get("credentialSubject", {}).get("achievement", {})
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": achievement.get("name") or document.get("name", ""),
        "organizationName": organisation,
        "issueYear": credential.issued_at.year,
        "issueMonth": credential.issued_at.month,
        "certUrl": page_url,
        "certId": credential.id,
    }
    until = document.get("validUntil")
    if isinstance(until, str):
        try:
            moment = dt.datetime.fromisoformat(until.replace("Z", "+00:00"))
            params |= {"expirationYear": moment.year, "expirationMonth": moment.month}
        except ValueError:
            pass
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


@dataclass(frozen=True)
class LearnerTexts:
    """The unit's title and outcome titles in the learner's language (when the unit has them)."""

    language: str
    title: str
    outcomes: dict[str, str]

    def outcome(self, outcome_id: str, fallback: str) -> str:
        """One outcome's title, or ``fallback`` (the signed English one)."""
        return self.outcomes.get(outcome_id) or fallback


def learner_language_texts(credential: Credential) -> LearnerTexts | None:
    """The title and outcomes in the language the learner used in the tool; None when that is English.

    The signed credential stays in English (readable across borders); the page adds the learner's language.
    """
    language = (credential.user.locale or "en").replace("_", "-").split("-")[0].lower()
    if language == "en":
        return None
    doc = credential.unit.doc

    def has(text: Text) -> bool:
        return isinstance(text, Mapping) and any(str(k).lower().split("-")[0] == language for k in text)

    if not has(doc.title):
        return None
    outcomes = {o.id: localized(o.title, language) for o in doc.outcomes if has(o.title)}
    return LearnerTexts(language, localized(doc.title, language), outcomes)
