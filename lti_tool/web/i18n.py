"""Flask-Babel: the locale of the launch (LTI launch_presentation.locale), else the browser's, else English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date, format_time
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, gettext
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from lti_tool.assessment.numbers import format_number, format_percentage, symbols
from lti_tool.errors import N_
from lti_tool.locales import SUPPORTED_LOCALES, country_name
from lti_tool.runtime import request_globals
from lti_tool.settings import PROJECT_ROOT


def select_locale() -> str:
    """The launch's locale when there is a launch session, otherwise the best match of Accept-Language."""
    request_g = request_globals()
    coordinator_locale = request_g.get("coordinator_locale")  # lti_tool.pilots: a coordinator's chosen language
    if coordinator_locale in SUPPORTED_LOCALES:
        return str(coordinator_locale)
    if "launch_session" not in request_g and has_request_context():
        # A page that failed before its view read the session (a 404, a 405) still speaks the launch's language.
        from lti_tool.launch.web_session import peek_launch

        peek_launch()
    session = request_g.get("launch_session")
    if session is not None and session.locale:
        base = session.locale.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our translations folder."""
    Babel(app, locale_selector=select_locale,
          default_translation_directories=str(PROJECT_ROOT / "lti_tool" / "translations"))
    # Flask-Babel's template gettext looks the translations up on every call (the domain, the locale and the
    # locale's identifier string each time: ~10 calls a page, bench/launch.py --profile); these look them up once
    # per request and locale (force_locale gives a new locale object, hence a new lookup).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_()` is jinja2.ext.i18n's newstyle gettext without its alias, which resolves `gettext` in the template's
    # context and calls it through two more context calls on every string; a page rendered by render_template
    # finds its translations in its context, looked up once (a fragment rendered without the context processors
    # looks them up per string, as before).
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.globals["ngettext"] = _template_ngettext  # the same for ngettext (its context call, its lookup)
    app.context_processor(lambda: {_TRANSLATIONS: _page_translations()})
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["number_symbols"] = lambda: symbols(str(get_locale()))
    app.jinja_env.filters["typed_number"] = _typed_number
    app.jinja_env.globals["local_time"] = local_time
    app.jinja_env.filters["sector"] = lambda sector: gettext(SECTOR_LABELS.get(sector, sector))
    app.jinja_env.filters["participation"] = lambda mode: gettext(PARTICIPATION_LABELS.get(mode, mode))
    app.jinja_env.filters["percent"] = lambda fraction: format_percentage(fraction, str(get_locale()))
    app.jinja_env.filters["country"] = lambda code: country_name(code, str(get_locale()))


_TRANSLATIONS = "_page_translations"  # in a page's template context


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    """`_()` in a template: the page's translation, autoescaped and always %-formatted, as jinja2.ext.i18n's
    newstyle gettext does."""
    translations = context.get(_TRANSLATIONS)
    translated = (translations if translations is not None else _page_translations()).ugettext(string)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 - our catalogues, as jinja2.ext.i18n marks them
    return translated % variables


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    """`ngettext()` in a template: the page's translation, as jinja2.ext.i18n's newstyle ngettext gives it (``num``
    among the variables, autoescaped, always %-formatted)."""
    variables.setdefault("num", num)
    translations = context.get(_TRANSLATIONS)
    translated = (translations if translations is not None else _page_translations()).ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 - our catalogues, as jinja2.ext.i18n marks them
    return translated % variables


def _page_translations() -> Any:
    """The translations of this request's locale, looked up once per request and locale."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    cached = g.get("page_translations")
    if cached is None or cached[0] is not locale:
        cached = g.page_translations = (locale, get_translations())
    return cached[1]


# The four MASTERY sectors of the unit files, as a learner reads them (the same words as the pilot reports).
SECTOR_LABELS = {"wood": N_("Wood"), "agrofood": N_("Agrofood"), "building": N_("Building"),
                 "manufacturing": N_("Manufacturing")}
# The unit schema's form of participation (an enum), as the EU micro-credential element reads.
PARTICIPATION_LABELS = {"online": N_("Online"), "blended": N_("Blended (online and in person)")}


def local_time(moment: dt.datetime | str | None) -> Markup:
    """A moment for the page: written in UTC the page locale's way, turned into the reader's own time zone by
    static/js/local_time.js (the browser knows it; the launch does not)."""
    if not moment:
        return Markup("")
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    locale = str(get_locale())
    day = format_date(aware, "long", locale=locale)
    text = f"{day}, {format_time(aware, 'short', tzinfo=dt.UTC, locale=locale)} UTC"
    return Markup('<time datetime="{}" data-local-time>{}</time>').format(
        aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), text)


def _typed_number(value: object) -> str:
    """A saved numeric answer written back into its field the page locale's way ("3,5" in Italian)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, str(get_locale()))
    return "" if value is None else str(value)
