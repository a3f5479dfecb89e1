"""LTI endpoints: OIDC login initiation, the launch, and the tool's JWKS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from pylti1p3.contrib.flask import FlaskRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from lti_tool.db import db
from lti_tool.errors import N_, LaunchError
from lti_tool.http_url import origin, same_origin
from lti_tool.launch.adapter import DbToolConf, ToolMessageLaunch, ToolOIDCLogin
from lti_tool.launch.claims import LtiLaunch, MessageType
from lti_tool.launch.keys import ensure_published_jwks
from lti_tool.launch.login_params import checked_login_params
from lti_tool.launch.login_state import LoginStateStore
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.platform_keys import PlatformKeyCache
from lti_tool.launch.registry_cache import RegistryCache
from lti_tool.launch.services import record_launch
from lti_tool.launch.web_session import (
    is_staff,
    registry_check,
    registry_confirmed_by_first_write,
    request_registry,
    set_session_cookie,
)
from lti_tool.runtime import current_settings, runtime, wired

bp = Blueprint("launch", __name__)
LandingRender = Callable[..., ResponseReturnValue]

# Login initiation parameters (LTI Security §5.1.1.1 and LTI Core §4.1), kept to restart in a new window.
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")



def init_app(app: Flask) -> None:
    """Register the endpoints and the cache of the platforms' public keys."""
    settings = current_settings(app)
    runtime(app).parts.platform_keys = PlatformKeyCache(
        ttl_seconds=settings.jwks_cache_seconds, timeout_seconds=settings.http_timeout_seconds)
    runtime(app).parts.registry = RegistryCache()
    app.register_blueprint(bp)


def _store() -> LoginStateStore:
    return LoginStateStore(db.session, lifetime_seconds=current_settings().login_state_seconds,
                           check=registry_check())


@bp.route("/lti/login", methods=["GET", "POST"])
@registry_confirmed_by_first_write
def login() -> ResponseReturnValue:
    """OIDC third-party login initiation: remember state+nonce, send the browser to the platform."""
    settings = current_settings()
    params = checked_login_params(request.values)  # sizes and characters, before anything reads or stores them
    target = params.get("target_link_uri", "").strip()
    if not target:
        raise LaunchError(N_("The login request does not say which activity to open (no target_link_uri)."),
                          code="missing_target")
    if not same_origin(target, settings.base_url):
        raise LaunchError(N_("The login asks to open an address that is not this tool. The tool's address "
                          "(TOOL_BASE_URL) may be configured differently in the LMS."), code="foreign_target")
    conf = DbToolConf(db.session, request_registry())
    oidc = ToolOIDCLogin(FlaskRequest(), conf)
    auth_url, state, nonce = oidc.prepare(settings.base_url + "/lti/launch")
    assert conf.platform is not None
    storage_target = params.get("lti_storage_target", "").strip()
    use_platform_storage = bool(storage_target) and not request.values.get("lti1p3_new_window")
    _store().create(
        state=state, nonce=nonce, platform_pk=conf.platform.id, target_link_uri=target,
        binding="platform" if use_platform_storage else "cookie", storage_target=storage_target,
        login_params={key: params[key] for key in LOGIN_PARAMS if params.get(key)},
    )
    if use_platform_storage:
        response: WerkzeugResponse = make_response(render_template(
            "launch/platform_storage.html", mode="put", state=state, nonce=nonce, auth_url=auth_url,
            storage_target=storage_target, platform_origin=origin(conf.platform.auth_login_url),
        ))
    else:
        response = redirect(auth_url, code=302)
    oidc.cookie_service().update_response(response)
    return response


@bp.post("/lti/launch")
@registry_confirmed_by_first_write
def launch() -> ResponseReturnValue:
    """The id_token launch: validate it fully, record the tenant, open a launch session."""
    settings = current_settings()
    conf = DbToolConf(db.session, request_registry())
    proof = None
    if request.form.get("lti_storage_state"):
        proof = {"state": request.form["lti_storage_state"], "nonce": request.form.get("lti_storage_nonce", "")}
    keys = wired(runtime().parts.platform_keys, "the platforms' key cache")
    message = ToolMessageLaunch(FlaskRequest(), conf, store=_store(), keys=keys,
                                leeway_seconds=settings.jwt_leeway_seconds, platform_storage=proof,
                                requests_session=runtime().requests_session)
    try:
        message.validate()
    except LaunchError as error:
        row = message.login_state
        if error.code == "state_cookie_missing" and row is not None:
            db.session.rollback()
            if row.binding == "platform":
                return render_template(
                    "launch/platform_storage.html", mode="get", state=row.state, id_token=request.form["id_token"],
                    storage_target=row.storage_target, platform_origin=origin(row.platform.auth_login_url),
                )
            restart = url_for("launch.login", **{**row.login_params, "lti1p3_new_window": "1"})
            return render_template("launch/cookies_blocked.html", restart_url=restart), 401
        raise
    assert conf.deployment is not None
    deployment_pk = conf.deployment.id  # read before the commit expires the row
    lti = LtiLaunch(message.claims())
    new = record_launch(db.session, conf.deployment, lti, lifetime_hours=settings.launch_session_hours)
    # The landing page carries this launch's token (``ls``), so a launch in another tab cannot take its place.
    g.launch_token = new.token
    # Before the commit, which expires the session row (reading it afterwards would cost another query).
    destination = landing_url(new.session) if proof is None else ""
    db.session.commit()  # the launch stands even when the landing page rendered below answers an error
    if proof is not None:
        # Cookies are blocked in this frame: render the first page now, carrying the session in the page.
        g.launch_session = new.session
        g.launch_deployment_pk = deployment_pk
        return landing_page(new.session)
    response = redirect(destination, code=303)
    set_session_cookie(response, new.token, max_age=settings.launch_session_hours * 3600)
    return response


def _landing(session: LaunchSession) -> tuple[str, dict[str, Any]]:
    """Where a launch lands: the placed unit, else the course page for teachers."""
    if session.message_type == MessageType.DEEP_LINKING:
        return "deep_linking.picker", {}
    if session.unit_slug:
        return "units.unit_page", {"slug": session.unit_slug}
    if is_staff(session) and session.context_pk is not None:
        return "catalogue.course_page", {"context_pk": session.context_pk}
    return "catalogue.nothing_placed", {}


def landing_url(session: LaunchSession) -> str:
    """The URL of the landing page."""
    endpoint, args = _landing(session)
    return url_for(endpoint, **args)


def landing_page(session: LaunchSession) -> ResponseReturnValue:
    """Render the landing page in this response (used when cookies are blocked)."""
    endpoint, args = _landing(session)
    # The landing pages belong to the packages above the launch; each offered its plain render function
    # (add_landing), which builds the page for this session without the view's request checks.
    return runtime().parts.landings[endpoint](session, **args)


def add_landing(app: Flask, endpoint: str, render: LandingRender) -> None:
    """Offer ``render(session, **args)`` as the page a launch landing on ``endpoint`` shows at once."""
    runtime(app).parts.landings[endpoint] = render


@bp.get("/.well-known/jwks.json")
def jwks() -> ResponseReturnValue:
    """The tool's public keys (the active one and retired ones not yet expired)."""
    body = ensure_published_jwks(db.session)
    response: Response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

