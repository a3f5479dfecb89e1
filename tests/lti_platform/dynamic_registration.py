"""LTI Dynamic Registration 1.0 on the platform side: the OpenID configuration and the registration endpoint.

Written from the 1EdTech spec (§3.4 platform configuration, §3.5 client registration request, §3.6 response)
and RFC 7591 (errors). Paths are Moodle's, whose "Register tool via URL" is the main target, and it behaves as
Moodle 5.1 does (mod/lti/openid-registration.php): when a tool already exists on the same domain the admin may
choose "Update", whose registration token names that tool; a GET on the registration endpoint with it answers
the tool's current registration (404 "No registration found." for a new one), and the POST rewrites the
existing tool in place (same client id and deployment id) instead of adding one.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from .constants import MessageType, Scope
from .server import HttpRequest, HttpResponse, Router

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CONFIGURATION_PATH = "/mod/lti/openid-configuration.php"
REGISTRATION_PATH = "/mod/lti/openid-registration.php"
SUPPORTED_MESSAGES = (MessageType.RESOURCE_LINK, MessageType.DEEP_LINKING_REQUEST)
SUPPORTED_CLAIMS = ("sub", "iss", "name", "given_name", "family_name", "email", "locale")


class DynamicRegistrationService:
    """Serves the OpenID configuration, checks registration requests and answers with client and deployment id.

    Test knobs: `issuer_override` (serve another issuer than our own), `mode` = "ok" | "error" (HTTP 500) |
    "slow" (answer after `slow_seconds`) | "no_deployment" (omit deployment_id from the answer).
    """

    def __init__(self, *, base_url: Callable[[], str], client_id: str, deployment_id: Callable[[], str],
                 on_registered: Callable[[dict[str, Any]], None]) -> None:
        self._base_url = base_url
        self._client_id = client_id
        self._deployment_id = deployment_id
        self._on_registered = on_registered
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self.issuer_override: str | None = None
        self.configuration_overrides: dict[str, Any] = {}  # fields replaced in the OpenID configuration
        self.mode = "ok"
        self.slow_seconds = 2.0
        self.configuration_requests: list[dict[str, str]] = []  # headers of each configuration fetch
        self.registration_requests = 0
        self.registrations: list[dict[str, Any]] = []  # accepted registration request bodies
        self.registration_errors: list[str] = []
        # The LMS's tools as Moodle keeps them: client id -> {"deployment_id", "registration", "rewrites"}.
        self.tools: dict[str, dict[str, Any]] = {}
        self._update_tokens: dict[str, str] = {}  # registration token -> the client id it updates
        self.lookups: list[int] = []  # status of each GET on the registration endpoint

    def routes(self, router: Router) -> None:
        """Register the configuration and registration endpoints."""
        router.add("GET", CONFIGURATION_PATH, self._configuration)
        router.add("POST", REGISTRATION_PATH, self._register)
        router.add("GET", REGISTRATION_PATH, self._lookup)

    # ---- what the LMS admin's browser is sent to -----------------------------------------------------
    def new_registration_token(self, update: str | None = None) -> str:
        """A single-use registration token (§3.3), for a new tool or (`update` = its client id) an existing one."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
            if update is not None:
                self._update_tokens[token] = update
        return token

    def tool_on_domain(self, tool_url: str) -> str | None:
        """The client id of a tool already registered for this URL's domain (Moodle then offers "Update")."""
        domain = urlsplit(tool_url).netloc.lower()
        with self._lock:
            return next((client for client, tool in self.tools.items()
                         if tool["registration"][TOOL_CONFIGURATION]["domain"].lower() == domain), None)

    @property
    def configuration_url(self) -> str:
        """Where the platform's OpenID configuration is served."""
        return self._base_url() + CONFIGURATION_PATH

    def registration_url(self, tool_registration_url: str, *, choice: str = "new") -> str:
        """The tool's registration URL with the §3.3 query parameters, as the LMS opens it.

        `choice` is the admin's answer when a tool already exists on the same domain: "new" registers another
        tool, "update" rewrites the existing one (Moodle 5.1's two buttons).
        """
        update = self.tool_on_domain(tool_registration_url) if choice == "update" else None
        if choice == "update" and update is None:
            raise AssertionError("Moodle offers Update only when a tool exists on the same domain")
        query = urlencode({"openid_configuration": self.configuration_url,
                           "registration_token": self.new_registration_token(update)})
        # Like Moodle: the tool's URL may carry its own query (a registration key); append to it.
        return f"{tool_registration_url}{'&' if '?' in tool_registration_url else '?'}{query}"

    # ---- §3.4 platform configuration -----------------------------------------------------------------
    def openid_configuration(self) -> dict[str, Any]:
        """The platform's OpenID configuration (§3.4.1 and its example)."""
        base = self._base_url()
        configuration = {
            "issuer": self.issuer_override or base,
            "authorization_endpoint": f"{base}/auth",
            "token_endpoint": f"{base}/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": f"{base}/jwks",
            "registration_endpoint": base + REGISTRATION_PATH,
            "scopes_supported": ["openid", *[str(scope) for scope in Scope]],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": list(SUPPORTED_CLAIMS),
            PLATFORM_CONFIGURATION: {
                "product_family_code": "moodle",
                "version": "5.1",
                "messages_supported": [{"type": str(message)} for message in SUPPORTED_MESSAGES],
                "variables": ["Context.id.history", "ResourceLink.id.history", "User.username"],
            },
        }
        return configuration | self.configuration_overrides

    def _configuration(self, request: HttpRequest, _match: Any) -> HttpResponse:
        self.configuration_requests.append({"authorization": request.headers.get("Authorization") or ""})
        return HttpResponse.json(self.openid_configuration())

    # ---- §3.5 registration request, §3.6 response ----------------------------------------------------
    def _refuse(self, status: int, error: str, description: str) -> HttpResponse:
        self.registration_errors.append(f"{error}: {description}")
        return HttpResponse.json({"error": error, "error_description": description}, status)  # RFC 7591 §3.2.2

    def _register(self, request: HttpRequest, _match: Any) -> HttpResponse:
        with self._lock:
            self.registration_requests += 1
        authorization = request.headers.get("Authorization") or ""
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            known = token in self._tokens
            self._tokens.discard(token)  # a registration token is used once
            update = self._update_tokens.pop(token, None)
        if not known:
            return self._refuse(401, "invalid_token", "missing, unknown or already used registration token")
        if request.content_type != "application/json":
            return self._refuse(400, "invalid_client_metadata", "the request must be application/json")
        try:
            body = request.json()
        except ValueError:
            return self._refuse(400, "invalid_client_metadata", "the body is not JSON")
        if problem := registration_problem(body):
            return self._refuse(400, "invalid_client_metadata", problem)
        if self.mode == "error":
            return HttpResponse.json({"error": "server_error"}, 500)
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        self.registrations.append(body)
        with self._lock:
            if update is not None:  # Moodle's "Update": the existing tool is rewritten in place
                client_id = update
                self.tools[client_id]["registration"] = body
                self.tools[client_id]["rewrites"] += 1
            else:  # a new tool: the first gets the platform's own ids, later ones new ones
                n = len(self.tools) + 1
                client_id = self._client_id if n == 1 else f"{self._client_id}-{n}"
                self.tools[client_id] = {"deployment_id": self._deployment_id() if n == 1 else str(100 + n),
                                         "registration": body, "rewrites": 0}
            deployment_id = self.tools[client_id]["deployment_id"]
        self._on_registered(body)
        return HttpResponse.json(self._answer(body, client_id, deployment_id))

    def _lookup(self, request: HttpRequest, _match: Any) -> HttpResponse:
        """GET with a registration token: the tool it would update, or 404 for a new one (Moodle 4.3+)."""
        authorization = request.headers.get("Authorization") or ""
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            known = token in self._tokens  # looking does not use the token up
            update = self._update_tokens.get(token)
            tool = self.tools.get(update) if update is not None else None
        if not known:
            self.lookups.append(401)
            return HttpResponse.json({"error": "invalid_token"}, 401)
        if tool is None:
            self.lookups.append(404)
            return HttpResponse(404, b"No registration found.", "text/plain")
        self.lookups.append(200)
        return HttpResponse.json(self._answer(tool["registration"], update, tool["deployment_id"]))

    def _answer(self, body: dict[str, Any], client_id: str, deployment_id: str) -> dict[str, Any]:
        """§3.6: the registration echoed, with client_id, the granted scopes and the deployment id."""
        supported = {str(scope) for scope in Scope}
        granted = [scope for scope in str(body.get("scope", "")).split() if scope in supported]
        tool_config = dict(body[TOOL_CONFIGURATION])
        if self.mode != "no_deployment":
            tool_config["deployment_id"] = deployment_id
        return {
            **body,
            "client_id": client_id,
            "registration_client_uri": f"{self._base_url()}{REGISTRATION_PATH}?client_id={client_id}",
            "scope": " ".join(granted),
            TOOL_CONFIGURATION: tool_config,
        }


def _is_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is not None and parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.fragment


def _in_domain(url: str, domain: str) -> bool:
    host = urlsplit(url).netloc.lower()
    return host == domain.lower() or host.endswith("." + domain.lower())


def registration_problem(body: Any) -> str | None:
    """Why a client registration request breaks §3.5.2 / OIDC Dynamic Client Registration, or None."""
    if not isinstance(body, dict):
        return "the registration must be a JSON object"
    if body.get("application_type") != "web":
        return "application_type must be web"
    if "id_token" not in (body.get("response_types") or []):
        return "response_types must include id_token"
    if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
        return "grant_types must include implicit and client_credentials"
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        return "token_endpoint_auth_method must be private_key_jwt"
    for field in ("initiate_login_uri", "jwks_uri"):
        if not _is_url(body.get(field)):
            return f"{field} must be an absolute URL"
    redirects = body.get("redirect_uris")
    if not isinstance(redirects, list) or not redirects or not all(_is_url(u) for u in redirects):
        return "redirect_uris must be a non-empty list of absolute URLs"
    if not isinstance(body.get("client_name"), str) or not body["client_name"]:
        return "client_name is required"
    if "scope" in body and not isinstance(body["scope"], str):
        return "scope must be a space-separated string"
    config = body.get(TOOL_CONFIGURATION)
    if not isinstance(config, dict):
        return f"{TOOL_CONFIGURATION} is required"
    domain = config.get("domain")
    if not isinstance(domain, str) or not domain:
        return "the tool configuration needs a domain"
    if not _is_url(config.get("target_link_uri")):
        return "the tool configuration needs a target_link_uri"
    for url in [body["initiate_login_uri"], body["jwks_uri"], config["target_link_uri"], *redirects]:
        if not _in_domain(url, domain):
            return f"{url} is outside the tool's domain {domain}"
    if not isinstance(config.get("claims", []), list):
        return "claims must be a list"
    if not isinstance(config.get("custom_parameters", {}), dict):
        return "custom_parameters must be an object"
    messages = config.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return "messages must be a list of objects"
    for message in messages:
        if message.get("type") not in {str(m) for m in SUPPORTED_MESSAGES}:
            return f"message type {message.get('type')!r} is not supported"
        if "target_link_uri" in message and not _in_domain(str(message["target_link_uri"]), domain):
            return f"message target_link_uri {message['target_link_uri']} is outside the tool's domain"
    return None
