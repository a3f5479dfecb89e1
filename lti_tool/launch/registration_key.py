"""Keys that admit an LMS to Dynamic Registration: signed, time-limited, made by a site admin.

Without one, anyone could register a platform (and then launch into the tool) or make the tool fetch a
URL of their choosing; Moodle keeps the key because it appends its own parameters to the URL it is given.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lti_tool.errors import N_, Forbidden

_SALT = "mastery-dynamic-registration-v1"


def make_key(secret_key: str) -> str:
    """A new registration key."""
    return URLSafeTimedSerializer(secret_key, salt=_SALT).dumps("register")


def check_key(secret_key: str, key: str, *, max_age_seconds: int) -> None:
    """Refuse a missing, forged or expired key."""
    if not key:
        raise Forbidden(N_("Registering the tool needs the registration URL a site administrator of the tool "
                        "creates with: mastery platform registration-url"), code="registration_key")
    try:
        URLSafeTimedSerializer(secret_key, salt=_SALT).loads(key, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise Forbidden(N_("This registration URL has expired; ask the tool's administrator for a new one."),
                        code="registration_key") from exc
    except BadSignature as exc:
        raise Forbidden(N_("This registration URL is not valid; ask the tool's administrator for a new one."),
                        code="registration_key") from exc
