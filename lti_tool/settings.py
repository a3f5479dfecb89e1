"""Typed settings read from the environment, with the embedded defaults of DESIGN.md section 3."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lti_tool.http_url import is_http_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting is optional; ``create_app`` fills the instance-derived defaults."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    instance_path: Path = Field(default=PROJECT_ROOT / "instance", alias="INSTANCE_PATH")
    database_url: str = Field(default="", alias="DATABASE_URL")
    secret_key: str = Field(default="", alias="SECRET_KEY", repr=False)
    # Unset: the address `make run` last served (instance/run.env), else http://127.0.0.1:$PORT (5000).
    tool_base_url: str = Field(default="http://127.0.0.1:5000", alias="TOOL_BASE_URL")
    port: int | None = Field(default=None, alias="PORT", ge=1, le=65535)
    lrs_url: str = Field(default="http://127.0.0.1:8100/xAPI/", alias="LRS_URL")
    lrs_username: str = Field(default="mastery", alias="LRS_USERNAME")
    lrs_password: str = Field(default="mastery-dev-secret", alias="LRS_PASSWORD", repr=False)
    issuer_name: str = Field(default="MASTERY Project", alias="ISSUER_NAME")
    issuer_country: str = Field(default="IT", alias="ISSUER_COUNTRY")
    issuer_url: str = Field(default="", alias="ISSUER_URL")
    credential_key_path: Path | None = Field(default=None, alias="CREDENTIAL_KEY_PATH")
    content_path: Path = Field(default=PROJECT_ROOT / "content" / "units", alias="CONTENT_PATH")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Seconds of clock skew tolerated on id_token iat/exp (Moodle sends exp = iat + 60).
    jwt_leeway_seconds: int = Field(default=5, alias="JWT_LEEWAY_SECONDS")
    jwks_cache_seconds: int = Field(default=300, alias="JWKS_CACHE_SECONDS")
    http_timeout_seconds: float = Field(default=5.0, alias="HTTP_TIMEOUT_SECONDS")
    launch_session_hours: int = Field(default=8, alias="LAUNCH_SESSION_HOURS")
    login_state_seconds: int = Field(default=600, alias="LOGIN_STATE_SECONDS")
    registration_key_hours: int = Field(default=72, alias="REGISTRATION_KEY_HOURS")
    tool_key_retention_days: int = Field(default=30, alias="TOOL_KEY_RETENTION_DAYS")
    trust_proxy: bool = Field(default=False, alias="TRUST_PROXY")
    # Bounded work (issue 11): evidence files, request bodies, request time, per-client rate limits.
    evidence_max_mb: int = Field(default=10, ge=1, le=100, alias="EVIDENCE_MAX_MB")
    request_timeout_seconds: float = Field(default=30.0, ge=1, alias="REQUEST_TIMEOUT_SECONDS")
    # Where rate-limit counters live: "database" (shared by every gunicorn worker) or a `limits` storage
    # URI such as redis://host:6379; "memory://" counts per worker process.
    rate_limit_storage: str = Field(default="database", alias="RATE_LIMIT_STORAGE")
    rate_limit_verify: str = Field(default="20/minute;200/hour", alias="RATE_LIMIT_VERIFY")
    rate_limit_login: str = Field(default="120/minute", alias="RATE_LIMIT_LOGIN")
    rate_limit_register: str = Field(default="10/minute;30/hour", alias="RATE_LIMIT_REGISTER")
    rate_limit_signin: str = Field(default="10/minute;50/hour", alias="RATE_LIMIT_SIGNIN")
    # A wallet makes three or four calls per credential; the nonce endpoint writes a row for anyone who asks.
    rate_limit_wallet: str = Field(default="60/minute;600/hour", alias="RATE_LIMIT_WALLET")
    rate_limits_enabled: bool = Field(default=True, alias="RATE_LIMITS_ENABLED")
    # Seconds between sweeps of expired login states, rate-limit windows and timed-out attempts (0: never).
    sweep_seconds: int = Field(default=60, ge=0, alias="SWEEP_SECONDS")
    # Data rights (lti_tool.pilots.rights, docs/privacy.md): what happens to an erased learner's credentials
    # (keep: stay valid in the holder's hands; revoke), and how many days after a pilot's end its learners'
    # personal data are purged by `retention purge` (empty: never automatically).
    erasure_credentials: str = Field(default="keep", alias="ERASURE_CREDENTIALS")
    pilot_retention_days: int | None = Field(default=None, alias="PILOT_RETENTION_DAYS", ge=0)
    testing: bool = False

    @field_validator("tool_base_url", "lrs_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        if not is_http_url(value):
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value

    @field_validator("erasure_credentials")
    @classmethod
    def _credential_policy(cls, value: str) -> str:
        if value.strip().lower() not in {"keep", "revoke"}:
            raise ValueError("ERASURE_CREDENTIALS must be keep or revoke")
        return value.strip().lower()

    @field_validator("pilot_retention_days", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("issuer_country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("ISSUER_COUNTRY must be an ISO 3166-1 alpha-2 code such as IT")
        return value.upper()

    @property
    def base_url(self) -> str:
        """TOOL_BASE_URL without a trailing slash."""
        return self.tool_base_url.rstrip("/")

    def resolved(self) -> Settings:
        """Fill the defaults that live under ``instance/``, creating the folder and the secret key once."""
        self.instance_path.mkdir(parents=True, exist_ok=True)
        updates: dict[str, object] = {}
        if "tool_base_url" not in self.model_fields_set:
            updates["tool_base_url"] = self._served_base_url()
        if not self.database_url:
            updates["database_url"] = f"sqlite:///{self.instance_path / 'mastery.sqlite3'}"
        if not self.secret_key:
            updates["secret_key"] = _read_or_create_secret(self.instance_path / "secret_key")
        if self.credential_key_path is None:
            updates["credential_key_path"] = self.instance_path / "credential_ed25519.pem"
        return self.model_copy(update=updates)

    def _served_base_url(self) -> str:
        # Same order as scripts/run-local.sh: a remembered public address, else PORT, else the remembered port.
        remembered = read_run_env(self.instance_path)
        url = remembered.get("TOOL_BASE_URL", "")
        if is_http_url(url) and urlsplit(url).hostname not in _LOOPBACK_NAMES:
            return url
        port = self.port or remembered.get("PORT") or 5000
        return f"http://127.0.0.1:{port}"


_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


def read_run_env(instance_path: Path) -> dict[str, str]:
    """PORT and TOOL_BASE_URL as the last `make run` served them (instance/run.env), if it ran here."""
    path = instance_path / "run.env"
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key in {"PORT", "TOOL_BASE_URL"} and value.strip():
            values[key] = value.strip()
    if not values.get("PORT", "5000").isdigit():
        values.pop("PORT")
    return values


def _read_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, apply overrides (tests), resolve instance defaults."""
    settings = Settings()
    if overrides:
        settings = settings.model_copy(update=overrides)
    return settings.resolved()
