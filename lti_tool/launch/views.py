"""LTI endpoints: OIDC login initiation, the launch, and the tool's JWKS."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    after_this_request,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from pylti1p3.contrib.flask import FlaskCookieService
from sqlalchemy import orm as so
from werkzeug.wrappers import Response as WerkzeugResponse

from lti_tool.db import db, request_session
from lti_tool.errors import N_, LaunchError, ToolError
from lti_tool.http_url import origin, same_origin
from lti_tool.launch.adapter import DbToolConf, ToolMessageLaunch, ToolOIDCLogin, ToolRequest
from lti_tool.launch.claims import LtiLaunch, MessageType
from lti_tool.launch.keys import ensure_published_jwks
from lti_tool.launch.login_params import checked_login_params
from lti_tool.launch.login_state import LoginStateStore
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.platform_keys import PlatformKeyCache
from lti_tool.launch.registry_cache import RegistryCache
from lti_tool.launch.services import find_session, record_launch, takes_login
from lti_tool.launch.web_session import (
    SESSION_COOKIE,
    is_staff,
    landed_mark,
    registry_check,
    registry_confirmed_by_first_write,
    request_registry,
    set_session_cookie,
)
from lti_tool.runtime import current_settings, request_globals, runtime, wired

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


def _store(database: so.Session) -> LoginStateStore:
    return LoginStateStore(database, lifetime_seconds=current_settings().login_state_seconds,
                           check=registry_check())


@bp.route("/lti/login", methods=["GET", "POST"])
@registry_confirmed_by_first_write
def login() -> ResponseReturnValue:
    """OIDC third-party login initiation: remember state+nonce, send the browser to the platform."""
    settings = current_settings()
    database = request_session()
    values = request.values
    params = checked_login_params(values)  # sizes and characters, before anything reads or stores them
    target = params.get("target_link_uri", "").strip()
    if not target:
        raise LaunchError(N_("The login request does not say which activity to open (no target_link_uri)."),
                          code="missing_target")
    if not same_origin(target, settings.base_url):
        raise LaunchError(N_("The login asks to open an address that is not this tool. The tool's address "
                          "(TOOL_BASE_URL) may be configured differently in the LMS."), code="foreign_target")
    conf = DbToolConf(database, request_registry())
    oidc = ToolOIDCLogin(ToolRequest(), conf)
    auth_url, state, nonce = oidc.prepare(settings.base_url + "/lti/launch")
    assert conf.platform is not None
    storage_target = params.get("lti_storage_target", "").strip()
    use_platform_storage = bool(storage_target) and not values.get("lti1p3_new_window")
    _store(database).create(
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
    database = request_session()
    tool = runtime()
    conf = DbToolConf(database, request_registry())
    flask_request = ToolRequest()
    form = flask_request.params  # the form's first values, as request.form.get reads them
    proof = None
    if form.get("lti_storage_state"):
        proof = {"state": form["lti_storage_state"], "nonce": form.get("lti_storage_nonce", "")}
    keys = wired(tool.parts.platform_keys, "the platforms' key cache")
    cookies = FlaskCookieService(flask_request)  # pylti1p3next's cookies (the login's state cookie)
    message = ToolMessageLaunch(flask_request, conf, store=_store(database), keys=keys,
                                leeway_seconds=settings.jwt_leeway_seconds, platform_storage=proof,
                                requests_session=tool.requests_session)
    try:
        # PostgreSQL: the login state is consumed by record_launch's first statement (one round trip less), which
        # refuses as validate would; so both sit in this try, and a refused launch is answered alike.
        message.validate(take_later=takes_login(database))
        assert conf.deployment is not None
        lti = LtiLaunch(message.claims())
        new = record_launch(database, conf.deployment, lti, lifetime_hours=settings.launch_session_hours,
                            login=message.login_to_take)
    except LaunchError as error:
        row = message.login_state
        if error.code == "state_cookie_missing" and row is not None:
            database.rollback()
            if row.binding == "platform":
                return render_template(
                    "launch/platform_storage.html", mode="get", state=row.state, id_token=request.form["id_token"],
                    storage_target=row.storage_target, platform_origin=origin(row.platform.auth_login_url),
                )
            restart = url_for("launch.login", **{**row.login_params, "lti1p3_new_window": "1"})
            return render_template("launch/cookies_blocked.html", restart_url=restart), 401
        if error.code == "unknown_state":
            again = _landed_already(database, cookies)
            if again is not None:
                return again
        raise
    # The launch answers with its landing page (no redirect and third request): this request is now the page's, as
    # the landing URL's own request would be (web_session.peek_launch). The page carries this launch's token
    # (``ls``), so a launch in another tab cannot take its place, and puts its landing URL in place of this POST in
    # the browser's history (js/landing.js): a reload or Back asks for the page, not the used id_token again.
    request_g = request_globals()  # once: each read or write through Flask's proxy looks g up again
    request_g.launch_session, request_g.launch_token = new.session, new.token
    request_g.launch_deployment_pk = conf.deployment.id
    request_g.landing_url = landing_url(new.session)
    if proof is None:
        lifetime = settings.launch_session_hours * 3600
        state = form.get("state", "")

        @after_this_request
        def _cookies(response: WerkzeugResponse) -> WerkzeugResponse:
            # On the page and on an error page the landing answers alike: the launch stands either way. Not when
            # this run was rolled back and the view ran again (registry_confirmed_by_first_write): that run's own.
            if g.get("launch_token") != new.token:
                return response
            set_session_cookie(response, new.token, max_age=lifetime)
            cookies.set_cookie(state, landed_mark(new.token), exp=lifetime)  # replaces the used state cookie
            cookies.update_response(response)
            return response
    # Cookies blocked in this frame (proof is set): the page carries the session itself (``ls``), nothing is set.
    try:
        page = make_response(landing_page(new.session))
    except ToolError:
        database.commit()  # the launch stands although its landing page refuses (the request's end would not)
        raise
    if page.status_code >= 400:
        database.commit()  # the same for a landing page answered with an error status (an unknown unit)
    return page


def _landed_already(database: so.Session, cookies: FlaskCookieService) -> WerkzeugResponse | None:
    """A reload of a launch this browser already landed from (a browser without JS posts the used id_token
    again): 303 to that launch's landing page, when the browser still holds that launch's live session.

    The session cookie authorises it, and only if this launch's state cookie carries that session's mark (set by
    the launch's answer); nothing of the re-posted token is read.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    mark = cookies.get_cookie(request.form.get("state", ""))
    if not token or not mark or not hmac.compare_digest(mark.encode(), landed_mark(token).encode()):
        return None
    database.rollback()  # nothing of the refused launch stays
    session = find_session(database, token, request_registry())
    if session is None:
        return None
    g.launch_session, g.launch_token, g.launch_deployment_pk = session, token, session.deployment_pk
    return redirect(landing_url(session), code=303)


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
    """Render the landing page in this response (the launch's answer)."""
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

