"""Where the credential services find their issuer, keys and base URL: the app, wired once in ``init_app``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from lti_tool.credentials.issuing.issuer import Issuer, make_issuer
from lti_tool.credentials.issuing.keyring import KeyRing
from lti_tool.credentials.verification.remote import JsonFetcher
from lti_tool.runtime import current_settings, runtime, wired
from lti_tool.settings import Settings

# app.config switch: resolve other issuers' DIDs / status lists over HTTPS (off in tests: loopback only).
REMOTE_FETCH = "CREDENTIALS_REMOTE_FETCH"


@dataclass(frozen=True)
class CredentialEnv:
    """Everything issuing and verifying needs from the deployment."""

    issuer: Issuer
    base_url: str
    remote: JsonFetcher | None  # None: other issuers' documents are not fetched


def init_app(app: Flask) -> None:
    """Register the key ring (keys are read on first use, never at start-up)."""
    settings: Settings = current_settings(app)
    assert settings.credential_key_path is not None, "Settings.resolved() sets credential_key_path"
    runtime(app).parts.credential_keys = KeyRing(settings.credential_key_path)
    app.config.setdefault(REMOTE_FETCH, not settings.testing)


def env_for(app: Flask) -> CredentialEnv:
    """The credential environment of ``app``."""
    settings: Settings = current_settings(app)
    ring = key_ring(app)
    issuer = make_issuer(
        settings.base_url, ring.keys(), name=settings.issuer_name, url=settings.issuer_url,
        country=settings.issuer_country,
    )
    remote = runtime(app).remote_fetcher(settings.http_timeout_seconds) if app.config.get(REMOTE_FETCH) else None
    return CredentialEnv(issuer=issuer, base_url=settings.base_url, remote=remote)


def key_ring(app: Flask | None = None) -> KeyRing:
    """The issuer's signing keys of ``app``, or of the running app."""
    return wired(runtime(app).parts.credential_keys, "the credential key ring")


def current_env() -> CredentialEnv:
    """The credential environment of the running app."""
    return env_for(current_app._get_current_object())  # type: ignore[attr-defined]
