"""LTI Dynamic Registration 1.0: read the platform's OpenID configuration, register the tool, store the platform.

pylti1p3next's ``dynamic_registration.py`` has no issuer check and no timeouts (DESIGN.md §6), so this is ours.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.errors import N_, ToolError, ValidationFailed
from lti_tool.http_url import is_http_url, origin, same_origin
from lti_tool.launch.claims import MessageType
from lti_tool.launch.models import Platform
from lti_tool.launch.registration import (
    PlatformInput,
    Upserted,
    is_loopback,
    issuer_spellings,
    normalize_issuer,
    upsert_platform,
)

TOOL_NAME = "MASTERY green-skills micro-credentials"
MAX_BODY_BYTES = 256 * 1024  # an OpenID configuration is a few KB; refuse anything that pretends otherwise


class RegistrationClaim(StrEnum):
    """Configuration claims of Dynamic Registration 1.0 §3.4 (platform) and §3.5 (tool)."""

    PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
    TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class ServiceScope(StrEnum):
    """The LTI Advantage scopes the tool asks for (AGS 2.0 §3.1, NRPS 2.0 §3.6.1)."""

    AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    AGS_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    AGS_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    NRPS_MEMBERSHIP_READONLY = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


# Identity claims the tool uses: who (iss, sub), the name printed on credentials, e-mail and language.
REQUESTED_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")
# Substitution variables for course copies (issue 7 §4), sent only when the platform lists them.
HISTORY_VARIABLES = {"context_id_history": "Context.id.history",
                     "resource_link_id_history": "ResourceLink.id.history"}


class RegistrationFailed(ToolError):
    """The registration could not be completed; nothing was stored.

    Its message is a catalogue entry (shown in the LMS administrator's language); a ``detail`` parameter carries
    a platform's or a library's own English text, which the page quotes and marks ``lang="en"``.
    """

    status = 400
    code = "registration_failed"
    title = N_("The tool could not be registered")


_MAX_URL = 1024  # the platform's URL columns


def _usable_url(value: Any) -> bool:
    return is_http_url(value) and len(str(value)) <= _MAX_URL


def _url(value: Any, field: str) -> str:
    """A URL field of the platform's configuration (``field`` is the JSON field's name, never translated)."""
    if not _usable_url(value):
        raise RegistrationFailed(N_("The platform's configuration has no usable %(field)s (an absolute http(s) URL "
                                    "of at most %(limit)s characters is required). Nothing was sent to your LMS "
                                    "and nothing was stored."), code="bad_configuration", field=field,
                                 limit=_MAX_URL)
    return str(value)


@dataclass(frozen=True)
class PlatformConfiguration:
    """The fields of the platform's OpenID configuration the tool needs (DR 1.0 §3.4.1)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str
    variables: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Any, *, configuration_url: str) -> PlatformConfiguration:
        """Validate the document; the issuer must live where the configuration was fetched from."""
        if not isinstance(data, Mapping):
            raise RegistrationFailed(N_("The platform's configuration is not a JSON object. Nothing was stored."),
                                     code="bad_configuration")
        issuer = _url(data.get("issuer"), "issuer")
        # DR 1.0 §3.5.1: the issuer must match the configuration URL, or anyone could pose as this LMS.
        if not same_origin(issuer, configuration_url):
            raise RegistrationFailed(
                N_("The configuration at %(origin)s names the issuer %(issuer)s, which is on another host. "
                   "Registration refused: nothing was stored."), code="issuer_mismatch",
                origin=origin(configuration_url), issuer=issuer)
        host = urlsplit(issuer).hostname or ""
        if urlsplit(issuer).scheme.lower() == "http" and not is_loopback(host):
            raise RegistrationFailed(
                N_("The LMS's issuer %(issuer)s uses plain http: an LMS on another machine must use https (LTI 1.3 "
                   "sends its tokens over TLS). Nothing was sent to your LMS and nothing was stored."),
                code="bad_issuer", issuer=issuer)
        try:  # a query, a fragment, too long: refused before anything is sent to the LMS
            issuer = normalize_issuer(issuer, field="The LMS's issuer")
        except ValidationFailed as error:  # the command line's English sentence, quoted as the detail
            raise RegistrationFailed(N_("The LMS's issuer cannot be used (%(detail)s). Nothing was sent to your "
                                        "LMS and nothing was stored."), code="bad_issuer",
                                     detail=error.message) from None
        extra = data.get(RegistrationClaim.PLATFORM_CONFIGURATION)
        extra = extra if isinstance(extra, Mapping) else {}
        variables = extra.get("variables")
        return cls(
            issuer=issuer,  # normalised; launches match the received iss with or without a trailing slash
            authorization_endpoint=_url(data.get("authorization_endpoint"), "authorization_endpoint"),
            token_endpoint=_url(data.get("token_endpoint"), "token_endpoint"),
            jwks_uri=_url(data.get("jwks_uri"), "jwks_uri"),
            registration_endpoint=_url(data.get("registration_endpoint"), "registration_endpoint"),
            product_family_code=str(extra.get("product_family_code") or "")[:100],
            variables=tuple(str(v) for v in variables) if isinstance(variables, list) else (),
        )


def tool_registration(base_url: str, platform: PlatformConfiguration) -> dict[str, Any]:
    """The client registration request body (DR 1.0 §3.5.2, OpenID Connect Dynamic Client Registration)."""
    launch_url = f"{base_url}/lti/launch"
    custom = {name: f"${variable}" for name, variable in HISTORY_VARIABLES.items() if variable in platform.variables}
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [launch_url],
        "client_name": TOOL_NAME,
        "jwks_uri": f"{base_url}/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scope.value for scope in ServiceScope),
        RegistrationClaim.TOOL_CONFIGURATION: {
            "domain": urlsplit(base_url).netloc,
            "description": "Short units on green skills for VET, assessed outcome by outcome, "
                           "with EU micro-credentials (Open Badges 3.0).",
            "target_link_uri": launch_url,
            "custom_parameters": custom,
            "claims": list(REQUESTED_CLAIMS),
            "messages": [
                {"type": MessageType.RESOURCE_LINK.value, "target_link_uri": launch_url},
                {"type": MessageType.DEEP_LINKING.value, "target_link_uri": launch_url,
                 "label": "Add MASTERY units", "supported_types": ["ltiResourceLink"]},
            ],
        },
    }


class RegistrationHttp(Protocol):
    """What a registration needs of the platform's HTTP endpoints (DR 1.0 §3.3-3.5)."""

    def get_json(self, url: str, token: str) -> Any:
        """GET a JSON document with the registration token."""
        ...

    def existing_registration(self, url: str, token: str) -> Mapping[str, Any] | None:
        """The registration the token would update, if the platform says so."""
        ...

    def post_json(self, url: str, token: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON document with the registration token as Bearer."""
        ...


class RegistrationClient:
    """Bounded HTTP to the platform: timeouts, no redirects, a size cap on every answer (a RegistrationHttp)."""

    def __init__(self, *, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_seconds), follow_redirects=False,
                                  headers={"Accept": "application/json", "User-Agent": "MASTERY-Tool"})

    def __enter__(self) -> RegistrationClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._http.close()

    def get_json(self, url: str, token: str) -> Any:
        """GET a JSON document (the registration token goes along: some platforms require it)."""
        return self._send("GET", url, token, None, said=_CONFIGURATION)

    def existing_registration(self, url: str, token: str) -> Mapping[str, Any] | None:
        """Moodle (4.3+) answers a GET on its registration endpoint with the tool its token would update."""
        try:
            answer = self._send("GET", url, token, None, said=_REGISTRATION)
        except RegistrationFailed:
            return None  # a new registration (Moodle: 404 "No registration found."), or a platform without it
        return answer if isinstance(answer, Mapping) and answer.get("client_id") else None

    def post_json(self, url: str, token: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON document with the registration token as Bearer (DR 1.0 §3.5.2)."""
        return self._send("POST", url, token, body, said=_REGISTRATION)

    def _send(self, method: str, url: str, token: str, body: Mapping[str, Any] | None, *,
              said: _RequestMessages) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        deadline = time.monotonic() + self._timeout
        try:
            with self._http.stream(method, url, headers=headers, json=body) as response:
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw += chunk
                    if len(raw) > MAX_BODY_BYTES:
                        raise RegistrationFailed(said.too_large, code="too_large", limit=MAX_BODY_BYTES // 1024)
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("answer too slow", request=response.request)
        except httpx.TimeoutException as error:
            raise RegistrationFailed(said.timeout, code="platform_timeout",
                                     seconds=f"{self._timeout:g}") from error
        except httpx.HTTPError as error:
            raise RegistrationFailed(said.unreachable, code="platform_unreachable",
                                     detail=type(error).__name__) from error
        if response.status_code >= 300:
            detail = _error_detail(bytes(raw))
            if detail:
                raise RegistrationFailed(said.refused_saying, code="platform_refused", status=response.status_code,
                                         detail=detail)
            raise RegistrationFailed(said.refused, code="platform_refused", status=response.status_code)
        try:
            return json.loads(bytes(raw))
        except ValueError as error:
            raise RegistrationFailed(said.not_json, code="bad_answer") from error


@dataclass(frozen=True)
class _RequestMessages:
    """What the page says when one of the two requests to the platform fails: whole sentences, one per case."""

    too_large: str
    timeout: str
    unreachable: str
    refused: str
    refused_saying: str  # with the platform's own (English) error as %(detail)s
    not_json: str


_CONFIGURATION = _RequestMessages(
    too_large=N_("The platform's configuration is larger than %(limit)s KB. Nothing was stored."),
    timeout=N_("The platform did not send its configuration within %(seconds)s s. Nothing was stored; try again."),
    unreachable=N_("The platform could not be reached to read its configuration (%(detail)s). Nothing was "
                   "stored."),
    refused=N_("The platform refused to send its configuration (HTTP %(status)s). Nothing was stored."),
    refused_saying=N_("The platform refused to send its configuration (HTTP %(status)s), saying %(detail)s. "
                      "Nothing was stored."),
    not_json=N_("The platform's configuration is not JSON. Nothing was stored."),
)
_REGISTRATION = _RequestMessages(
    too_large=N_("The platform's answer to the registration is larger than %(limit)s KB. Nothing was stored."),
    timeout=N_("The platform did not answer the registration within %(seconds)s s. Nothing was stored; try "
               "again."),
    unreachable=N_("The platform could not be reached to send it the registration (%(detail)s). Nothing was "
                   "stored."),
    refused=N_("The platform refused the registration (HTTP %(status)s). Nothing was stored."),
    refused_saying=N_("The platform refused the registration (HTTP %(status)s), saying %(detail)s. Nothing was "
                      "stored."),
    not_json=N_("The platform's answer to the registration is not JSON. Nothing was stored."),
)


def _error_detail(raw: bytes) -> str:
    """The OAuth-style error the platform gave (RFC 7591 §3.2.2), short, for the admin's page ("" if none)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    if not isinstance(data, Mapping) or not data.get("error"):
        return ""
    detail = f"{data['error']}: {data.get('error_description', '')}".strip(": ")
    return detail[:200]


@dataclass(frozen=True)
class RegistrationResult:
    """What was stored, and what the registration changed on our side (for the admin's page)."""

    platform: Platform
    deployment_id: str
    granted_scopes: tuple[str, ...]
    outcome: Upserted
    issuer_known: bool  # the tool already had a registration for this LMS (this client id or another)
    lms_update: bool  # the LMS said it updates a tool it already had (Moodle's "Update")

    @property
    def is_new(self) -> bool:
        """A first registration with this LMS."""
        return self.outcome.created_platform and not self.issuer_known


def _registration_answer(data: Any) -> tuple[str, str, tuple[str, ...]]:
    """client_id, deployment_id and granted scopes from the platform's answer (DR 1.0 §3.6)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("client_id"), (str, int)) or not str(
            data["client_id"]).strip():
        raise RegistrationFailed(N_("The platform's answer to the registration has no client_id. Nothing was "
                                    "stored."), code="bad_answer")
    config = data.get(RegistrationClaim.TOOL_CONFIGURATION)
    deployment = config.get("deployment_id") if isinstance(config, Mapping) else None
    if not isinstance(deployment, (str, int)) or not str(deployment).strip():
        raise RegistrationFailed(
            N_("The platform registered the tool but did not say its deployment id, so launches could not be "
               "accepted. Nothing was stored: register it with %(command)s using the values the LMS shows."),
            code="no_deployment", command="mastery platform add")
    scope = data.get("scope")
    return str(data["client_id"]).strip(), str(deployment).strip(), tuple(str(scope or "").split())


def register_platform(db: so.Session, client: RegistrationHttp, *, configuration_url: str,
                      registration_token: str, base_url: str) -> RegistrationResult:
    """The whole registration; the caller commits.

    Everything that could be refused is checked before the registration is sent: once the LMS has created or
    rewritten its tool, the tool's side never refuses. A platform already known (Moodle's "Update", or a second
    tool on the same site) is brought up to date: a new client id or deployment is added beside the others.
    """
    if not _usable_url(configuration_url):
        raise RegistrationFailed(N_("The address given as openid_configuration is not an absolute http(s) URL of "
                                    "at most %(limit)s characters. Nothing was sent to your LMS and nothing was "
                                    "stored."), code="bad_configuration", limit=_MAX_URL)
    configuration = PlatformConfiguration.from_json(client.get_json(configuration_url, registration_token),
                                                    configuration_url=configuration_url)
    name = f"{configuration.product_family_code or 'LMS'} (dynamic registration)"
    issuer_known = (db.scalar(sa.select(sa.func.count()).select_from(Platform)
                              .where(Platform.issuer.in_(issuer_spellings(configuration.issuer)))) or 0) > 0
    existing = None
    if configuration.product_family_code.lower() == "moodle":
        existing = client.existing_registration(configuration.registration_endpoint, registration_token)
    answer = client.post_json(configuration.registration_endpoint, registration_token,
                              tool_registration(base_url, configuration))
    client_id, deployment_id, scopes = _registration_answer(answer)
    try:
        outcome = upsert_platform(db, PlatformInput(
            issuer=configuration.issuer, client_id=client_id, deployment_id=deployment_id,
            auth_login_url=configuration.authorization_endpoint, auth_token_url=configuration.token_endpoint,
            key_set_url=configuration.jwks_uri, name=name,
        ))
    except ValidationFailed as error:  # only the LMS's own answer can get here (an id over 255 characters)
        raise RegistrationFailed(N_("The LMS answered with values the tool cannot store (%(detail)s). Nothing was "
                                    "stored."), code="bad_answer", detail=error.message) from None
    return RegistrationResult(platform=outcome.platform, deployment_id=deployment_id, granted_scopes=scopes,
                              outcome=outcome, issuer_known=issuer_known, lms_update=existing is not None)
