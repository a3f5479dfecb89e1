"""The launch session seen from a request: cookie or header token, role and tenant guards, CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Response, current_app, g, request

from lti_tool.db import db
from lti_tool.errors import CsrfFailed, Forbidden, SessionMissing
from lti_tool.launch.claims import STAFF_ROLES, Role
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.services import find_session

SESSION_COOKIE = "mastery_session"
SESSION_HEADER = "X-Launch-Session"  # when the browser blocks third-party cookies in the LMS iframe
SESSION_PARAM = "ls"
CSRF_HEADER = "X-CSRFToken"

P = ParamSpec("P")
R = TypeVar("R")


def current_launch() -> LaunchSession:
    """The launch session of this request, or SessionMissing."""
    if "launch_session" not in g:
        token = request.cookies.get(SESSION_COOKIE, "")
        if not token:
            # Cookies blocked in the LMS iframe: the page carries the session (header for API calls, a
            # parameter for links and forms — never logged: the access log has no query strings).
            token = request.headers.get(SESSION_HEADER) or request.values.get(SESSION_PARAM, "")
            if token:
                g.launch_token = token
        g.launch_session = find_session(db.session, token)
    session: LaunchSession | None = g.launch_session
    if session is None:
        raise SessionMissing("Your session has ended or this page was opened outside the course. "
                             "Open the activity again from your course.")
    return session


def session_roles(session: LaunchSession) -> frozenset[Role]:
    """The tool roles stored with the session."""
    return frozenset(Role(value) for value in session.roles if value in Role._value2member_map_)


def is_staff(session: LaunchSession) -> bool:
    """Instructors, teaching assistants, content developers and administrators of the launch."""
    return bool(session_roles(session) & STAFF_ROLES)


def require_context(session: LaunchSession, context_pk: int) -> None:
    """Refuse any course other than the one the session was launched from."""
    if session.context_pk is None or session.context_pk != context_pk:
        raise Forbidden("This page belongs to another course than the one you opened the tool from.")


def staff_only(session: LaunchSession) -> None:
    """Refuse learners."""
    if not is_staff(session):
        raise Forbidden("Only teachers of this course can see this page.")


def launched(view: Callable[P, R]) -> Callable[P, R]:
    """Require a launch session; check the CSRF token on every write."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = current_launch()
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise CsrfFailed("The page's security token is missing or out of date. Reload the page.")
        return view(*args, **kwargs)

    return wrapper


def set_session_cookie(response: Response, token: str, *, max_age: int) -> None:
    """The session cookie: SameSite=None; Secure (and Partitioned) over HTTPS so it works in the LMS iframe."""
    secure = request.is_secure
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, path="/", secure=secure,
        samesite="None" if secure else "Lax", partitioned=secure,
    )
    current_app.logger.debug("launch session cookie set (secure=%s)", secure)
