"""Who may see the pilot pages: a signed-in coordinator (every pilot) or a platform administrator's launch
(their platform's pilots). A learner's or teacher's launch session is refused with 403, whatever the page.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.db import db
from lti_tool.errors import CsrfFailed, Forbidden
from lti_tool.launch.claims import Role
from lti_tool.launch.services import find_session
from lti_tool.launch.web_session import request_launch_token
from lti_tool.pilots.accounts import find_coordinator_session

COORDINATOR_COOKIE = "mastery_coordinator"

P = ParamSpec("P")


@dataclass(frozen=True)
class Viewer:
    """The person looking at the pilot pages."""

    kind: str  # coordinator | platform_admin
    name: str
    csrf_token: str
    platform_pk: int | None = None  # None: every platform (a coordinator)
    coordinator_pk: int | None = None
    locale: str = ""


def current_viewer() -> Viewer | None:
    """The coordinator or platform administrator of this request; None without any session; 403 for others."""
    if "pilot_viewer" in g:
        return g.pilot_viewer
    viewer = None
    coordinator = find_coordinator_session(db.session, request.cookies.get(COORDINATOR_COOKIE, ""))
    if coordinator is not None:
        account = coordinator.coordinator
        viewer = Viewer("coordinator", account.name or account.username, coordinator.csrf_token,
                        coordinator_pk=account.id, locale=account.locale)
        g.coordinator_locale = account.locale
    else:
        launch = find_session(db.session, request_launch_token())
        if launch is not None:
            g.launch_session = launch
            if Role.ADMINISTRATOR.value not in (launch.roles or ()):
                raise Forbidden("The pilot pages are for the project's coordinators and platform administrators.")
            viewer = Viewer("platform_admin", launch.user.name or launch.user.sub, launch.csrf_token,
                            platform_pk=launch.deployment.platform_id)
    g.pilot_viewer = viewer
    return viewer


R = TypeVar("R")


def coordinator_page(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Require a coordinator or a platform administrator; check the CSRF token on every write."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        viewer = current_viewer()
        if viewer is None:
            return redirect(url_for("pilots.sign_in", next=request.full_path if request.method == "GET" else None))
        if request.method not in {"GET", "HEAD"}:
            sent = request.form.get("csrf_token", "") or request.headers.get("X-CSRFToken", "")
            if not hmac.compare_digest(sent.encode(), viewer.csrf_token.encode()):
                raise CsrfFailed("The page's security token is missing or out of date. Reload the page.")
        return view(*args, **kwargs)

    return wrapper


def coordinators_only(viewer: Viewer) -> None:
    """Some actions are for the project's coordinators only."""
    if viewer.kind != "coordinator":
        raise Forbidden("Only the project's coordinators can do this.")
