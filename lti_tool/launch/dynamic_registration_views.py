"""`GET|POST /lti/register`: LTI Dynamic Registration 1.0, opened by the LMS in a frame or a new window."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool.db import db
from lti_tool.errors import N_, ToolError, page_message
from lti_tool.http_url import origin
from lti_tool.launch.dynamic_registration import RegistrationFailed, register_platform
from lti_tool.launch.framing import content_security_policy
from lti_tool.launch.registration_key import check_key
from lti_tool.runtime import current_settings, runtime
from lti_tool.settings import Settings

bp = Blueprint("dynamic_registration", __name__)


def _framed(response: Response, configuration_url: str) -> Response:
    lms = origin(configuration_url)
    # The app-wide policy, but the LMS being registered is not yet a known frame ancestor: allow its origin.
    response.headers["Content-Security-Policy"] = content_security_policy([lms] if lms else [],
                                                                          form_action="'self'")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lti/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    """Register with the platform that sent us here, store it, then ask the LMS to close the window."""
    settings: Settings = current_settings()
    # DR 1.0 §3.3 uses GET query parameters; some platforms post the same fields as a form.
    configuration_url = request.values.get("openid_configuration", "").strip()
    token = request.values.get("registration_token", "").strip()
    try:
        check_key(settings.secret_key, request.values.get("key", ""),
                  max_age_seconds=settings.registration_key_hours * 3600)
        if not configuration_url:
            raise RegistrationFailed(N_("Open this address from your LMS's page for registering a tool by URL: it "
                                        "has to come with the LMS's openid_configuration."),
                                     code="missing_configuration")
        with runtime().registration_client(settings.http_timeout_seconds) as client:
            result = register_platform(db.session, client, configuration_url=configuration_url,
                                       registration_token=token, base_url=settings.base_url)
    except ToolError as error:
        db.session.rollback()
        current_app.logger.info("dynamic registration refused (%s): %s", error.code, error.message)
        # Every message is a catalogue entry: the page speaks the administrator's language (Accept-Language, picked
        # by lti_tool.web.i18n.select_locale as for a refused launch), the platform's own words quoted in English.
        message = page_message(error, gettext)
        page = render_template("error.html", status=error.status, code=error.code, title=error.title,
                               message=message)
        return _framed(make_response(page, error.status), configuration_url)
    current_app.logger.info("dynamic registration: %s client %s deployment %s (new platform %s, new deployment %s, "
                            "changed %s)", result.platform.issuer, result.platform.client_id, result.deployment_id,
                            result.outcome.created_platform, result.outcome.added_deployment,
                            ", ".join(result.outcome.changed) or "-")
    page = render_template("launch/registered.html", platform=result.platform, deployment_id=result.deployment_id,
                           scopes=result.granted_scopes, result=result)
    return _framed(make_response(page), configuration_url)
