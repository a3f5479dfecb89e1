"""The per-process cache of rendered page fragments: bounded, least recently used out first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask, g, render_template
from jinja2 import DictLoader, UndefinedError
from markupsafe import escape

from lti_tool.fragments import FragmentCache, fragment_cache, render_page
from lti_tool.runtime import Parts
from lti_tool.runtime import install as runtime_install


def test_the_least_recently_used_fragment_leaves_first() -> None:
    cache = FragmentCache(maxsize=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "b" is now the least recently used
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)


def _app() -> Flask:
    """A bare app with a fragment cache and three templates: a page, its reader's own part, a page that leaks."""
    app = Flask(__name__)
    runtime_install(app, SimpleNamespace(parts=Parts(fragments=FragmentCache())))  # type: ignore[arg-type]
    app.add_url_rule("/me/<slug>", "me", lambda slug: slug)
    app.jinja_env.loader = DictLoader({
        "page.html": '<title>{{ title }}</title><meta content="{{ csrf_token }}">{% if launch_token %}<i>{{ _x }}</i>'
                     '{% endif %}{% include "mine.html" %}<a href="{{ url_for("me", slug=slug) }}">&</a>',
        "mine.html": "<b>{{ name }}</b>",
        "leaky.html": '{{ title }}{{ request.args.get("who") }}{% include "mine.html" %}',
    })

    @app.context_processor
    def _tokens() -> dict[str, str]:
        return {"csrf_token": g.get("csrf", ""), "launch_token": "", "landing_url": ""}

    return app


def test_a_kept_page_reads_as_the_whole_render_and_keeps_nothing_of_its_reader() -> None:
    app = _app()
    for reader in ("Ann <admin>", "Bo & Co"):
        with app.test_request_context("/"):
            g.csrf = f"token-of-{reader}"
            kept = render_page(("k",), "page.html", {"title": "T<1>", "slug": "s 1"}, ("mine.html",), name=reader)
            assert kept == render_template("page.html", title="T<1>", slug="s 1", name=reader)
            assert escape(reader) in kept and f'content="token-of-{escape(reader)}"' in kept
    shell = fragment_cache(app).get(("page", "page.html", ("mine.html",), (True, False, False), "", ("k",)))
    assert shell is not None and "Ann" not in "".join(shell.pieces) and "token-of" not in "".join(shell.pieces)


def test_a_page_reading_the_request_outside_its_readers_part_is_refused() -> None:
    app = _app()
    with app.test_request_context("/?who=Ann"), pytest.raises(UndefinedError):
        render_page(("k",), "leaky.html", {"title": "T"}, ("mine.html",), name="Ann")


def test_a_page_whose_text_holds_a_nul_is_rendered_whole() -> None:
    app = _app()
    for reader in ("Ann", "Bo"):
        with app.test_request_context("/"):
            kept = render_page(("k",), "page.html", {"title": "T\x00x", "slug": "s"}, ("mine.html",), name=reader)
            assert kept == render_template("page.html", title="T\x00x", slug="s", name=reader) and reader in kept
