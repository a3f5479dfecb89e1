"""Markdown study text rendered to safe HTML (user content is never trusted, even our own files)."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "a",
                 "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "sup", "sub"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML in Markdown is shown as text, not markup; nh3 is the second fence.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


# A pure function of the text: the unit page renders the same sections on every launch (measured with
# bench/launch.py: parsing and sanitising ten sections was a third of a launch's CPU). 512 texts of a few KB each.
@lru_cache(maxsize=512)
def render_markdown(text: str, table_label: str = "Table") -> str:
    """Markdown → sanitised HTML (links get rel=noopener noreferrer); ``table_label`` names each table's
    scrolling region for screen readers, in the page's language."""
    html = _parser().render(text)
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    # Wide tables and code scroll sideways at 360 px; a keyboard user must be able to scroll them too
    # (WCAG 2.1.1, axe "scrollable-region-focusable"). Added after sanitising: these are our own attributes.
    label = escape(table_label, {'"': "&quot;"})
    clean = clean.replace("<table>", f'<div class="scroll" tabindex="0" role="region" aria-label="{label}"><table>')
    clean = clean.replace("</table>", "</table></div>")
    return clean.replace("<pre>", '<pre tabindex="0">')


_LABEL = re.compile(r"\{\{\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\}\}")


def figure_src(svg: str, labels: Mapping[str, str]) -> str:
    """A figure as a data: URI for <img>, its {{label}} placeholders filled with the (escaped) label texts.

    Through <img> an SVG never runs script nor loads anything (and content check keeps the files plain):
    the page CSP allows img-src data:.
    """
    filled = _LABEL.sub(lambda m: escape(labels.get(m[1], "")), svg)
    return "data:image/svg+xml;base64," + base64.b64encode(filled.encode("utf-8")).decode("ascii")


def study_figures(section: Mapping[str, Any], files: Mapping[str, str], pick: Any) -> list[dict[str, str]]:
    """The figures of a section ready for the template; ``pick`` turns a text into the page's language."""
    shown = []
    for figure in section.get("figures", []):
        svg = files.get(figure["file"])
        if svg is None:
            continue
        labels = {key: pick(text) for key, text in figure.get("labels", {}).items()}
        shown.append({"id": figure["id"], "src": figure_src(svg, labels), "alt": pick(figure["alt"]),
                      "caption": pick(figure["caption"])})
    return shown
