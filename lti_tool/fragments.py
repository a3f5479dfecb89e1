"""Parts of a page rendered once per process: HTML that depends only on immutable content and the page language.

The unit page a launch lands on spends most of its template time on the study text (table of contents, sections,
figures, references): the same bytes for every learner of one unit version in one language. It is rendered once
per key here and then pasted into the page (measured with bench/launch.py; see docs/scaling.md). A fragment
must carry nothing of the request (no launch token, no CSRF token, no user data): callers key it by everything
it is made of. ``render_page`` goes further: a whole page kept as its text around slots for the request's parts
(the reader's own part, the tokens, the URLs), which each request fills (docs/scaling.md, "Unit page render,
session 7").
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, request, url_for
from jinja2 import ChoiceLoader, DictLoader, Environment, StrictUndefined, Template
from markupsafe import Markup, escape

from lti_tool.lru import LockedLRU
from lti_tool.runtime import runtime, wired

T = TypeVar("T")


class FragmentCache(LockedLRU[Hashable, Any]):
    """A bounded LRU of rendered fragments (and what goes with them), shared by the threads of one process."""

    def __init__(self, maxsize: int = 256) -> None:
        super().__init__(maxsize)
        self.envs: dict[tuple[str, ...], Environment] = {}  # render_page's Jinja environments, by slotted templates
        self.token = secrets.token_hex(8)  # render_page's slot marks carry it: no text of a page can forge one


def install(app: Flask) -> None:
    """Give the app its empty fragment cache (create_app)."""
    runtime(app).parts.fragments = FragmentCache()


def fragment_cache(app: Flask | None = None) -> FragmentCache:
    """This app's fragment cache."""
    return wired(runtime(app).parts.fragments, "the fragment cache")


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """The value stored under `key` in this app's fragment cache, made by `make()` on a miss."""
    cache = fragment_cache()
    found = cache.get(key)
    if found is None:
        found = make()
        cache.put(key, found)
    return found


def render_fragment(template: str, **context: Any) -> Markup:
    """`template` rendered with `context` only, for caching.

    Through the Jinja environment directly: the context processors (launch and CSRF tokens, the pilot notices) are
    request data and must not reach a shared fragment; `_()` and `url_for` are Jinja globals.
    """
    # An autoescaped template's output, as render_template would return it.
    return Markup(current_app.jinja_env.get_template(template).render(**context))  # noqa: S704


# A page kept as its request-independent text with marked slots: "\x00<cache token>:<slot>\x00". Autoescaping leaves
# a NUL as it is, and the token is new with every app's cache (a page whose own text holds a NUL is rendered whole).
_MARK = "\x00"
# The values web_session's context processor gives every page (per request), written into the page as they are.
REQUEST_VALUES = ("csrf_token", "launch_token", "landing_url")
_URL = "url:"
# Flask's template globals of the request: refused in a kept render (any use raises).
_REQUEST_GLOBALS = {name: StrictUndefined(name=name) for name in ("request", "session", "g")}


@dataclass(frozen=True)
class Shell:
    """A page's text with the request's parts left out: literal text and slot names, alternating (text first)."""

    pieces: tuple[str, ...]  # empty: the page cannot be kept (a NUL in its text), it is rendered whole each time
    urls: tuple[tuple[str, dict[str, Any]], ...]  # the slot "url:<i>": url_for(endpoint, **values), per request
    included: dict[str, Template]  # the slots of included templates: the app's own, as {% include %} finds them


def render_page(key: Hashable, template: str, shared: dict[str, Any], per_request: tuple[str, ...],
                **context: Any) -> str:
    """`template` as ``render_template(template, **shared, **context)`` renders it, byte for byte, with its text
    outside the request's parts rendered once per `key` and process.

    `shared`: what the page shows the same way to every reader under `key` (the caller keys it by everything in it);
    `context`: the reader's own values. The kept text is rendered from `shared` alone: the request's values
    (REQUEST_VALUES, every ``url_for``) and the templates named in `per_request` (included by the page and reading
    any of its variables) are left as slots, filled on every request. A template reading anything else outside
    those slots (another context processor's value, Flask's ``request``, ``session`` or ``g``) fails in the kept
    render (StrictUndefined), rather than keeping one reader's data for every reader.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    values = {**shared, **context}
    app.update_template_context(values)  # the context processors, as render_template runs them
    # Which of the page's conditional request values are set changes its text (base.html: `{% if launch_token %}`).
    present = tuple(bool(values.get(name)) for name in REQUEST_VALUES)
    shell = cached(("page", template, per_request, present, request.script_root, key),
                   lambda: _shell(app, template, per_request, shared, present))
    if not shell.pieces:
        return app.jinja_env.get_template(template).render(values)
    out: list[str] = []
    page: dict[str, Any] | None = None  # the page's variables over the templates' globals, made once
    for index, piece in enumerate(shell.pieces):
        if not index % 2:
            out.append(piece)
        elif piece.startswith(_URL):
            endpoint, arguments = shell.urls[int(piece[len(_URL):])]
            out.append(escape(url_for(endpoint, **arguments)))
        elif piece in REQUEST_VALUES:
            out.append(escape(values[piece]))
        else:  # an included template: as {% include %} renders it, in a context over the page's variables
            included = shell.included[piece]
            page = page if page is not None else {**included.globals, **values}
            out.append(_render_in(included, page))
    return "".join(out)


def _render_in(template: Template, page: dict[str, Any]) -> str:
    """`template` rendered in a new context whose parent is `page` itself (not a copy): as Jinja's include does."""
    try:
        return "".join(template.root_render_func(template.new_context(page, shared=True)))
    except Exception:  # noqa: BLE001 - Jinja's own handler, as Template.render calls it: re-raises with the template's lines
        template.environment.handle_exception()


def _shell(app: Flask, template: str, per_request: tuple[str, ...], shared: dict[str, Any],
           present: tuple[bool, ...]) -> Shell:
    token = fragment_cache(app).token

    def slot(name: str) -> str:
        return f"{_MARK}{token}:{name}{_MARK}"

    urls: list[tuple[str, dict[str, Any]]] = []

    def url_slot(endpoint: str, **arguments: Any) -> str:
        urls.append((endpoint, arguments))
        return slot(f"{_URL}{len(urls) - 1}")

    env = _slotted_env(app, per_request, tuple(slot(name) for name in per_request))
    text = env.get_template(template).render({
        **shared, "url_for": url_slot, **_REQUEST_GLOBALS,
        **{name: slot(name) if set_ else "" for name, set_ in zip(REQUEST_VALUES, present, strict=True)}})
    parts = text.split(_MARK)
    prefix = f"{token}:"
    included = {name: app.jinja_env.get_template(name) for name in per_request}
    if not len(parts) % 2 or any(not part.startswith(prefix) for part in parts[1::2]):
        # A NUL of the content itself, or a mark a filter changed: this page is rendered whole (never cut wrong).
        app.logger.warning("%s cannot be kept: its text does not cut at its slot marks", template)
        return Shell((), (), included)
    return Shell(tuple(part.removeprefix(prefix) if index % 2 else part for index, part in enumerate(parts)),
                 tuple(urls), included)


def _slotted_env(app: Flask, names: tuple[str, ...], slots: tuple[str, ...]) -> Environment:
    """The app's Jinja environment with the templates `names` replaced by their slot marks and every undefined
    name refused (one per app and set of names: it compiles the page's templates once more, for itself)."""
    cache = fragment_cache(app)
    env = cache.envs.get(names)
    if env is None:
        marks = DictLoader(dict(zip(names, slots, strict=True)))
        loader = ChoiceLoader([marks, app.jinja_env.loader] if app.jinja_env.loader is not None else [marks])
        env = cache.envs[names] = app.jinja_env.overlay(loader=loader, undefined=StrictUndefined)
    return env
