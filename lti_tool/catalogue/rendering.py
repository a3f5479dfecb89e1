"""Markdown study text rendered to safe HTML (user content is never trusted, even our own files)."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "a",
                 "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "sup", "sub"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML in Markdown is shown as text, not markup; nh3 is the second fence.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> str:
    """Markdown → sanitised HTML (links get rel=noopener noreferrer)."""
    html = _parser().render(text)
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    # Wide tables and code scroll sideways at 360 px; a keyboard user must be able to scroll them too
    # (WCAG 2.1.1, axe "scrollable-region-focusable"). Added after sanitising: these are our own attributes.
    clean = clean.replace("<table>", '<div class="scroll" tabindex="0" role="region" aria-label="Table"><table>')
    clean = clean.replace("</table>", "</table></div>")
    return clean.replace("<pre>", '<pre tabindex="0">')
