"""Flask-Babel: the locale of the launch (LTI launch_presentation.locale), else the browser's, else English."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel, get_locale

from lti_tool.assessment.numbers import format_number, symbols
from lti_tool.settings import PROJECT_ROOT

# The MASTERY pilot languages (Italy, Spain, Finland, Bulgaria, Belgium) and English.
SUPPORTED_LOCALES = ("en", "it", "es", "fi", "bg", "fr", "nl")


def select_locale() -> str:
    """The launch's locale when there is a launch session, otherwise the best match of Accept-Language."""
    coordinator_locale = g.get("coordinator_locale")  # lti_tool.pilots: a coordinator's chosen language
    if coordinator_locale in SUPPORTED_LOCALES:
        return str(coordinator_locale)
    session = g.get("launch_session")
    if session is not None and session.locale:
        base = session.locale.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our translations folder."""
    Babel(app, locale_selector=select_locale,
          default_translation_directories=str(PROJECT_ROOT / "lti_tool" / "translations"))
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["number_symbols"] = lambda: symbols(str(get_locale()))
    app.jinja_env.filters["typed_number"] = _typed_number


def _typed_number(value: object) -> str:
    """A saved numeric answer written back into its field the page locale's way ("3,5" in Italian)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, str(get_locale()))
    return "" if value is None else str(value)
