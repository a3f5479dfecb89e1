"""Thin adapter over pylti1p3next: our registrations, our login-state store, stricter launch validation.

Each override below names the pylti1p3next 2.0.2 behaviour it replaces (measured in DESIGN.md §6).
"""

from __future__ import annotations

import secrets
import typing as t
from typing import Any

import jwt
import requests
import sqlalchemy as sa
from flask import request
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import orm as so

from lti_tool.errors import N_, LaunchError
from lti_tool.launch.claims import Claim, check_lti_claims, check_target_link
from lti_tool.launch.id_token import decode_id_token
from lti_tool.launch.login_params import has_control_characters
from lti_tool.launch.login_state import LoginStateStore
from lti_tool.launch.models import Deployment, LoginState, Platform
from lti_tool.launch.platform_keys import PlatformKeyCache
from lti_tool.launch.registration import DISABLED_MESSAGE, issuer_spellings
from lti_tool.launch.registry_cache import PlatformEntry, Registry, attached_deployment, attached_platform


class ToolRequest(FlaskRequest):
    """pylti1p3next's Flask request, its parameters read from the request once.

    pylti1p3next 2.0.2's FlaskRequest.get_param reads ``request.method`` and ``request.form`` (``request.args`` on
    a GET) through Flask's context-local proxies on every call, and its constructor ``request.cookies`` and
    ``request.is_secure``: 18 calls a launch, each two Werkzeug LocalProxy lookups and a MultiDict lookup that,
    for an absent key, raises and catches a BadRequestKeyError (Werkzeug 3.1.9, ~2 µs). Here they come from one
    plain dict of the parameters' first values, as MultiDict.get returned them (bench/launch.py --profile).
    """

    def __init__(self) -> None:
        current = request._get_current_object()  # type: ignore[attr-defined]  # the request behind the proxy
        super().__init__(cookies=current.cookies, request_is_secure=current.is_secure)
        # pylti1p3next reads the query string on a GET, the form otherwise; the first value of a repeated key.
        self.params: dict[str, str] = (current.args if current.method == "GET" else current.form).to_dict()

    def get_param(self, key: str) -> str | None:  # type: ignore[override]  # pylti's own answers None when absent
        return self.params.get(key)


class DbToolConf(ToolConfAbstract[FlaskRequest]):
    """Registrations from the database (or the process's snapshot of them); always the issuer-with-many-clients mode."""

    def __init__(self, session: so.Session, registry: Registry | None = None) -> None:
        self._session = session
        self._registry = registry
        # The registration found: the snapshot's entry (a login needs no ORM row), or the row when read directly.
        self.platform: Platform | PlatformEntry | None = None
        self.deployment: Deployment | None = None

    # pylti1p3next keeps ``issuers_relation_types`` in a class-level dict shared by all instances;
    # answering here keeps that global state out of the picture.
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("registrations are looked up by issuer and client id")

    def find_platform(self, iss: str, client_id: str | None) -> Platform | PlatformEntry | None:
        """The registration for this issuer (and client id, needed when the issuer has several)."""
        if self._registry is not None:
            return self._platform_from(self._registry, iss, client_id)
        query = sa.select(Platform).where(Platform.issuer.in_(issuer_spellings(iss)))
        if client_id:
            platform = self._session.scalar(query.where(Platform.client_id == client_id))
        else:
            candidates = list(self._session.scalars(query.limit(2)))
            platform = candidates[0] if len(candidates) == 1 else None
        if platform is not None and platform.disabled_at is not None:
            raise LaunchError(DISABLED_MESSAGE, code="platform_disabled")
        return platform

    def _platform_from(self, registry: Registry, iss: str, client_id: str | None) -> PlatformEntry | None:
        spellings = issuer_spellings(iss)
        entry: PlatformEntry | None
        if client_id:
            entry = next((p for s in spellings if (p := registry.platform(s, client_id)) is not None), None)
        else:
            candidates = [p for s in spellings for p in registry.platforms_of(s)]
            entry = candidates[0] if len(candidates) == 1 else None
        if entry is None:
            return None
        if entry.disabled:
            raise LaunchError(DISABLED_MESSAGE, code="platform_disabled")
        # The entry itself: the ORM row is attached only with a launch's deployment (find_deployment_by_params),
        # which needs it; building and adding it cost a login ~140 Python calls (bench/launch.py --profile).
        return entry

    def find_registration_by_params(  # type: ignore[override]  # None: the platform is unknown (its base says never)
            self, iss: str, client_id: str | None, *args: Any, **kwargs: Any) -> Registration | None:
        platform = self.find_platform(iss, client_id)
        self.platform = platform
        if platform is None:
            return None
        # No tool private key here: launches never sign, and the service clients load the key themselves.
        registration = Registration()
        registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
        registration.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
        registration.set_key_set_url(platform.key_set_url)
        return registration

    def find_deployment(self, iss: str, deployment_id: str) -> PyltiDeployment | None:
        return None

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args: Any,
                                  **kwargs: Any) -> PyltiDeployment | None:
        platform = self.platform
        if platform is None or platform.issuer not in issuer_spellings(iss) or platform.client_id != client_id:
            platform = self.find_platform(iss, client_id)
        if platform is None:
            return None
        if self._registry is not None:
            entry = self._registry.deployment(platform.id, deployment_id)
            if entry is not None and entry.disabled:
                raise LaunchError(DISABLED_MESSAGE, code="platform_disabled")
            if entry is not None and isinstance(platform, PlatformEntry):
                # The deployment's platform row, so `deployment.platform` needs no query; held here, as the
                # session's identity map holds rows only weakly.
                self.platform = attached_platform(self._session, platform)
            self.deployment = attached_deployment(self._session, entry) if entry is not None else None
        else:
            self.deployment = self._session.scalar(
                sa.select(Deployment).where(Deployment.platform_id == platform.id,
                                            Deployment.deployment_id == deployment_id)
            )
        if self.deployment is not None and self.deployment.disabled_at is not None:
            raise LaunchError(DISABLED_MESSAGE, code="platform_disabled")
        return PyltiDeployment().set_deployment_id(deployment_id) if self.deployment else None


class StateSessionService(SessionService):
    """Keeps login state server-side instead of in Flask's cookie session (which pylti never prunes)."""

    def __init__(self, request: FlaskRequest) -> None:
        super().__init__(request)
        self.nonce: str | None = None

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce  # stored with its state by ToolOIDCLogin, so the pair is consumed together

    def save_state_params(self, state: str, params: dict[str, object]) -> None:
        self.state = state


class ToolOIDCLogin(FlaskOIDCLogin):
    """OIDC third-party login initiation (LTI Security §5.1.1)."""

    def __init__(self, request: FlaskRequest, tool_conf: DbToolConf) -> None:
        self.sessions = StateSessionService(request)
        # pylti1p3next types the session service as its Flask one; ours keeps state and nonce in the database.
        super().__init__(request, tool_conf, session_service=self.sessions,  # type: ignore[arg-type]
                         cookie_service=FlaskCookieService(request))

    def prepare(self, launch_url: str) -> tuple[str, str, str]:
        """The platform auth URL to go to, with the state and nonce it carries."""
        # An empty params dict would skip save_state_params; any value makes pylti call it.
        self.pass_params_to_launch({"launch_url": launch_url})
        try:
            redirect_obj = self.get_redirect_object(launch_url)
        except OIDCException as exc:
            raise _login_error(str(exc)) from exc
        assert self.sessions.nonce is not None
        return redirect_obj.get_redirect_url(), self.sessions.state, self.sessions.nonce

    def cookie_service(self) -> FlaskCookieService:
        return t.cast(FlaskCookieService, self._cookie_service)

    def _generate_nonce(self) -> str:
        # pylti1p3next: uuid4().hex + uuid1().hex, ~20 us a login (uuid1 reads the clock and the node under a lock),
        # and its uuid1 half is guessable. The same 64 hex characters, all random, in ~1 us.
        return secrets.token_hex(32)


def _login_error(detail: str) -> LaunchError:
    if "registration" in detail.lower():
        return LaunchError(N_("This tool has not been registered for that platform (issuer and client id). "
                              "Ask the site administrator to register it."), code="invalid_login")
    # pylti1p3next's own wording (English, technical) goes in as a parameter.
    return LaunchError(N_("The login request from the platform is incomplete: %(detail)s."), code="invalid_login",
                       detail=detail)


class ToolMessageLaunch(FlaskMessageLaunch):
    """id_token validation with the checks pylti1p3next skips, in an order where nothing is consumed early."""

    def __init__(self, request: FlaskRequest, tool_conf: DbToolConf, *, store: LoginStateStore,
                 keys: PlatformKeyCache, leeway_seconds: int, platform_storage: dict[str, str] | None,
                 requests_session: requests.Session | None = None) -> None:
        # pylti1p3next builds a requests.Session per launch unless given one; it never uses it here (our
        # key cache fetches the JWKS), so one shared session saves that cost on every launch.
        super().__init__(request, tool_conf, session_service=StateSessionService(request),
                         requests_session=requests_session)
        self._store = store
        self._keys = keys
        self._leeway = leeway_seconds
        self._platform_storage = platform_storage
        self.login_state: LoginState | None = None
        # The login still to consume, when validate(take_later=True) left it to the launch's first write.
        self.login_to_take: PendingLogin | None = None

    def validate(self, *, take_later: bool = False) -> ToolMessageLaunch:
        """Validate everything; the login state is consumed last, so a forged token cannot burn it.

        `take_later`: in the usual case (the browser's state cookie matches), leave the consumption of the login
        state to the launch's first write (launch.services.record_launch with `login_to_take`), which refuses the
        launch exactly as the consumption here would; every other check is made here first.
        """
        self._validated = True
        try:
            self.validate_jwt_format()
            self._check_token_shape()
            if self._state_cookie_matches():
                # The usual case: state and nonce checked and consumed together by one DELETE … RETURNING after
                # the signature (a round trip less than reading the state first; measured with bench/launch.py).
                self.validate_registration()
                self.validate_jwt_signature()
                self.validate_deployment()
                self.validate_message()
                nonce = self._get_jwt_body().get("nonce")
                if take_later and isinstance(nonce, str):
                    self.login_to_take = PendingLogin(self, self._state_param(), nonce)
                else:
                    self._take_login_state()
            else:  # cookies blocked or platform storage: the stored row decides what the browser sees next
                self.validate_state()
                self.validate_registration()
                self.validate_jwt_signature()
                self.validate_deployment()
                self.validate_message()
                self.validate_nonce()
        except LtiException as exc:
            self._validated = False
            raise _launch_error(str(exc)) from exc
        except LaunchError:
            self._validated = False
            raise
        return self

    def _check_token_shape(self) -> None:
        # pylti reads header/body with .get and aud[0]; other JSON shapes would crash it with a 500.
        header, body = self._jwt.get("header"), self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise LaunchError(N_("The launch token is malformed."), code="bad_token")
        aud = body.get("aud")
        if not (isinstance(aud, str) and aud) and not (
            isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud)
        ):
            raise LaunchError(N_("The launch token has no valid audience."), code="wrong_audience")
        if not isinstance(body.get("iss"), str) or not body["iss"]:
            raise LaunchError(N_("The launch token does not name its issuer."), code="missing_iss")

    def _state_param(self) -> str:
        state = self._get_request_param("state")
        if not state:
            raise LaunchError(N_("The launch has no state parameter."), code="missing_state")
        if len(state) > 128 or has_control_characters(state):  # the column's size; never reaches the database
            raise LaunchError(N_("The launch's state parameter is not one this tool issued."), code="unknown_state")
        return state

    def _state_cookie_matches(self) -> bool:
        """The browser carries the login's state cookie (it started this login: LTI Security §5.1.1.5)."""
        state = self._state_param()
        return bool(self._cookie_service.get_cookie(state) == state)

    def _take_login_state(self) -> None:
        # Replaces pylti's state and nonce checks, which accept a replay (§6): the row goes in the same statement
        # that checks it, so two workers given the same token cannot both pass.
        state = self._state_param()
        nonce = self._get_jwt_body().get("nonce")
        self._check_taken(state, self._store.take(state, nonce) if isinstance(nonce, str) else None)

    def _check_taken(self, state: str, target: str | None) -> None:
        """Refuse unless the login state was taken (`target`: its target_link_uri), then compare the targets."""
        if target is None:
            if self._store.get(state) is None:  # a second read on this failing path only, to say why
                raise _unknown_state()
            raise LaunchError(N_("This launch was already used or does not match its login (nonce)."),
                              code="invalid_nonce")
        check_target_link(t.cast(str, self._get_jwt_body().get(Claim.TARGET_LINK_URI)), target)

    def confirm_generation(self, generation: int | None) -> None:
        """Check the registry generation a statement that took the login state returned (LoginStateStore.take)."""
        self._store.confirm_generation(generation)

    def validate_state(self) -> ToolMessageLaunch:
        # Replaces pylti's check, which accepts a replayed token once its state hash is stored (§6).
        state = self._state_param()
        row = self._store.get(state)
        if row is None:
            raise _unknown_state()
        self.login_state = row
        if self._cookie_service.get_cookie(state) == state:
            return self
        if row.binding == "platform" and self._platform_storage is not None:
            # LTI client-side postMessage storage: the page read state and nonce back from the platform.
            proof = self._platform_storage
            if proof.get("state") != state or proof.get("nonce") != row.nonce:
                raise LaunchError(N_("The launch could not be matched to this browser."), code="state_mismatch")
            return self
        raise LaunchError(N_("The launch could not be matched to this browser: its login cookie is missing."),
                          code="state_cookie_missing")

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        # Replaces pylti's fetch (no timeout, no refetch on rotation) and its decode (no exp/iat required,
        # no leeway, audience unchecked).
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise LaunchError(N_("The launch is not signed with RS256, as LTI 1.3 requires."), code="bad_alg")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise LaunchError(N_("The launch token does not name its signing key (kid)."), code="missing_kid")
        assert self._registration is not None
        key_set_url = t.cast(str, self._registration.get_key_set_url())
        try:
            public_key = self._keys.public_key(key_set_url, kid)  # parsed once per fetched key set
            client_id = t.cast(str, self._registration.get_client_id())
            body = decode_id_token(
                self._get_id_token(), public_key, audience=client_id,
                # A registration made before issuers were normalised may differ by a trailing slash.
                issuers=issuer_spellings(t.cast(str, self._registration.get_issuer())), leeway=self._leeway,
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchError(N_("The launch has expired. Go back to the course and open the activity again."),
                              code="expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchError(N_("The launch was meant for another tool (audience mismatch)."),
                              code="wrong_audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchError(N_("The launch comes from another issuer than its registration."),
                              code="wrong_issuer") from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchError(N_("The launch is dated in the future; check the platform's clock."),
                              code="not_yet_valid") from exc
        except jwt.PyJWTError as exc:
            raise LaunchError(N_("The launch signature or its claims are not valid."), code="bad_token") from exc
        # Without the row yet (the usual case), the target is compared when the state is taken.
        expected = self.login_state.target_link_uri if self.login_state is not None else None
        check_lti_claims(body, client_id=client_id, expected_target=expected)
        self._jwt["body"] = body  # type: ignore[typeddict-item]  # the claims checked above, as pylti1p3next keeps them
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        # Replaces pylti's nonce check, which never deletes the nonce (a replay passes, §6).
        assert self.login_state is not None
        nonce = self._get_jwt_body().get("nonce")
        if not isinstance(nonce, str) or not self._store.consume(self.login_state.state, nonce):
            raise LaunchError(N_("This launch was already used or does not match its login (nonce)."),
                              code="invalid_nonce")
        return self

    def claims(self) -> dict[str, Any]:
        """The validated id_token body."""
        return dict(self._get_jwt_body())


class PendingLogin:
    """A validated launch's login state and nonce, consumed by the launch's first write (services.LoginToTake)."""

    def __init__(self, launch: ToolMessageLaunch, state: str, nonce: str) -> None:
        self._launch = launch
        self.state = state
        self.nonce = nonce

    def taken(self, target: str | None, generation: int | None) -> None:
        """The same refusals as the adapter's own consumption (_take_login_state), then the same checks."""
        if target is not None:
            self._launch.confirm_generation(generation)
        self._launch._check_taken(self.state, target)


def _unknown_state() -> LaunchError:
    return LaunchError(N_("This launch has expired or was already used. Go back to the course and open the "
                       "activity again."), code="unknown_state")


def _launch_error(detail: str) -> LaunchError:
    """A person-readable message with a stable code for a pylti1p3next validation failure."""
    lowered = detail.lower()
    if "deployment" in lowered:
        return LaunchError(N_("This deployment of the tool is not registered for the platform. Ask the site "
                              "administrator."), code="unknown_deployment")
    if "registration" in lowered or "client id" in lowered:
        return LaunchError(N_("This tool has not been registered for the platform and client id that sent the "
                              "launch."), code="unknown_registration")
    if "jwt" in lowered or "decode" in lowered or "format" in lowered:
        return LaunchError(N_("The launch token is malformed."), code="bad_token")
    return LaunchError(N_("The launch message is not valid: %(detail)s."), code="invalid_message", detail=detail)
