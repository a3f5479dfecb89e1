"""The launch session seen from a request: a token per launch, role and tenant guards, CSRF.

One session per launch, not per browser: every page rendered under a launch carries its token (the
``launch-session`` meta tag, ``ls`` on the tool's own links and forms through ``url_for``, the
``X-Launch-Session`` header on API calls), and that token wins over the cookie. Two activities open in two tabs —
or the same unit placed twice in a course — therefore never read each other's session, although the cookie holds
only the browser's latest launch (it stays for clients that keep a cookie jar, and for a page opened by hand).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Request, current_app, g, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from lti_tool.db import db
from lti_tool.errors import N_, CsrfFailed, Forbidden, SessionMissing, ToolError
from lti_tool.launch import claims
from lti_tool.launch.claims import Role
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.registry_cache import GenerationCheck, Registry, RegistryMoved, read_generation
from lti_tool.launch.services import find_session, live_session, session_and_generation
from lti_tool.runtime import current_request, request_globals, runtime, wired

SESSION_COOKIE = "mastery_session"
SESSION_HEADER = "X-Launch-Session"  # when the browser blocks third-party cookies in the LMS iframe
SESSION_PARAM = "ls"
CSRF_HEADER = "X-CSRFToken"

P = ParamSpec("P")
R = TypeVar("R")


def request_launch_token() -> str:
    """The launch token this request carries: the page's own (header or ``ls``) first, else the cookie.

    The ``ls`` parameter is never logged: the access log has no query strings.
    """
    current = current_request()
    return (current.headers.get(SESSION_HEADER) or _first(current.args, SESSION_PARAM) or _form_token(current)
            or _first(current.cookies, SESSION_COOKIE))


def _first(values: MultiDict[str, str], key: str) -> str:
    # ``values.get(key, "")`` without its exception: Werkzeug 3.1's MultiDict answers a missing key by raising and
    # catching a BadRequestKeyError, an HTTPException built with its description (~2 µs). Every response asks for
    # the token (lti_tool.web.errors, no-store), and most requests carry none.
    return values[key] if key in values else ""  # noqa: SIM401 - the point (above)


def _form_token(current: Request) -> str:
    # Only a plain form carries the token in its body; reading any other body here would parse (or refuse) an
    # upload or an oversized request before the view decides, and inside the error page's own locale lookup.
    if current.mimetype != "application/x-www-form-urlencoded":
        return ""
    try:
        return _first(current.form, SESSION_PARAM)
    except HTTPException:
        return ""


def request_registry() -> Registry:
    """The registrations for this request: the process's snapshot, checked against the generation once."""
    request_g = request_globals()
    registry: Registry | None = request_g.get("registry")
    if registry is None:
        registry = request_g.registry = wired(runtime().parts.registry, "the registry cache").current(db.session)
    return registry


def registry_confirmed_by_first_write(view: Callable[P, R]) -> Callable[P, R]:
    """Run a view (the login, the launch) on the cached registrations without reading the generation first.

    The view's first write returns the generation (LoginStateStore with ``g.registry_check``): a statement less
    per request. When it moved, or the view refused with a snapshot never confirmed (an unknown or disabled
    registration may be a stale snapshot's answer), everything is rolled back and the view runs once more with
    the registrations read as on any other request; so a registration change is honoured at once, as before.
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        snapshot = wired(runtime().parts.registry, "the registry cache").cached()
        request_g = request_globals()
        if snapshot is None or "registry" in request_g:
            return view(*args, **kwargs)
        check = GenerationCheck(snapshot.generation)
        request_g.registry, request_g.registry_check = snapshot, check
        try:
            answer = view(*args, **kwargs)
            if check.confirmed or read_generation(db.session) == snapshot.generation:
                return answer  # unconfirmed: a page that wrote nothing (cookies blocked), checked by one read
        except RegistryMoved:
            pass
        except (ToolError, SQLAlchemyError):
            # A refusal, or a write the database refused (a purged registration's row is gone), on a snapshot
            # never confirmed: it stands only if the registrations did not move.
            if check.confirmed:
                raise
            db.session.rollback()
            if read_generation(db.session) == snapshot.generation:
                raise
        db.session.rollback()
        for key in ("registry", "registry_check", "launch_session", "launch_token", "launch_deployment_pk",
                    "landing_url"):
            g.pop(key, None)
        return view(*args, **kwargs)

    return wrapper


def registry_check() -> GenerationCheck | None:
    """The check a request's first write confirms (see registry_confirmed_by_first_write), else None."""
    check: GenerationCheck | None = g.get("registry_check")
    return check


def peek_launch() -> LaunchSession | None:
    """The launch session of this request if it carries a live one, else None (never raises)."""
    if "launch_session" not in g:
        token = request_launch_token()
        if token and "registry" not in g:
            # One statement for the session and the registry generation (every launched page needs both).
            found, generation = session_and_generation(db.session, token)
            cache = wired(runtime().parts.registry, "the registry cache")
            g.registry = cache.current(db.session) if generation is None else cache.at(db.session, generation)
            g.launch_session = live_session(found, g.registry)
        else:
            g.launch_session = find_session(db.session, token, request_registry()) if token else None
        if g.launch_session is not None:
            g.launch_token = token
            # Kept apart from the row, which a commit expires: the response headers need it after the view.
            g.launch_deployment_pk = g.launch_session.deployment_pk
    session: LaunchSession | None = g.launch_session
    return session


def current_launch() -> LaunchSession:
    """The launch session of this request, or SessionMissing."""
    # The page carries the token on (``g.launch_token``), so this tab stays on this launch.
    session = peek_launch()
    if session is None:
        raise SessionMissing(N_("Your session has ended or this page was opened outside the course. "
                                "Open the activity again from your course."))
    return session


def session_roles(session: LaunchSession) -> frozenset[Role]:
    """The tool roles stored with the session."""
    return claims.tool_roles(session.roles)


def is_staff(session: LaunchSession) -> bool:
    """Instructors, teaching assistants, content developers and administrators of the launch."""
    return session.is_staff


def require_context(session: LaunchSession, context_pk: int) -> None:
    """Refuse any course other than the one the session was launched from."""
    if session.context_pk is None or session.context_pk != context_pk:
        raise Forbidden(N_("This page belongs to another course than the one you opened the tool from."))


def staff_only(session: LaunchSession) -> None:
    """Refuse learners."""
    if not is_staff(session):
        raise Forbidden(N_("Only teachers of this course can see this page."))


def launched(view: Callable[P, R]) -> Callable[P, R]:
    """Require a launch session; check the CSRF token on every write."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = current_launch()
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise CsrfFailed(N_("The page's security token is missing or out of date. Reload the page."))
        return view(*args, **kwargs)

    wrapper.launch_scoped = True  # type: ignore[attr-defined]  # url_for adds the launch token (init_app)
    return wrapper


def init_app(app: Flask) -> None:
    """``url_for`` to any launched view carries this request's launch token (call after the blueprints); pages
    get the session's CSRF token and launch token."""

    def scoped_endpoints() -> frozenset[str]:
        parts = runtime(app).parts
        if parts.launch_scoped is None:
            parts.launch_scoped = frozenset(
                name for name, view in app.view_functions.items() if getattr(view, "launch_scoped", False))
        return parts.launch_scoped

    @app.context_processor
    def _csrf() -> dict[str, object]:
        request_g = request_globals()
        session = request_g.get("launch_session")
        return {"csrf_token": session.csrf_token if session is not None else "",
                "launch_token": request_g.get("launch_token", ""), "landing_url": request_g.get("landing_url", "")}

    @app.url_defaults
    def _carry_launch(endpoint: str, values: dict[str, object]) -> None:
        token = request_globals().get("launch_token") if has_request_context() else None
        if token and endpoint in scoped_endpoints():
            values.setdefault(SESSION_PARAM, token)


def set_session_cookie(response: WerkzeugResponse, token: str, *, max_age: int) -> None:
    """The session cookie: SameSite=None; Secure (and Partitioned) over HTTPS so it works in the LMS iframe."""
    secure = request.is_secure
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, path="/", secure=secure,
        samesite="None" if secure else "Lax", partitioned=secure,
    )
    current_app.logger.debug("launch session cookie set (secure=%s)", secure)


def landed_mark(token: str) -> str:
    """What a launch's answer leaves in its login's state cookie: which session it opened (a hash, not the token).

    A browser without JS that reloads the launch posts the used id_token again; the launch view sends it to its
    landing page only when the session cookie it still holds is the one this mark names.
    """
    return "landed." + hashlib.sha256(b"landed-launch:" + token.encode()).hexdigest()
