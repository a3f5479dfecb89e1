"""Study text: Markdown rendered safely, wide content keyboard-scrollable."""

from __future__ import annotations

from lti_tool.catalogue.rendering import render_markdown


def test_raw_html_and_scripts_never_survive() -> None:
    html = render_markdown('Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))')
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, not run


def test_links_get_noopener() -> None:
    assert 'rel="noopener noreferrer"' in render_markdown("[ESCO](https://esco.ec.europa.eu)")


def test_tables_and_code_can_be_scrolled_by_keyboard() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```")
    assert '<div class="scroll" tabindex="0" role="region" aria-label="Table"><table>' in html
    assert html.count("</table></div>") == 1 and '<pre tabindex="0">' in html
    named = render_markdown("| a |\n|---|\n| 1 |", 'Tabella "x"')
    assert 'role="region" aria-label="Tabella &quot;x&quot;"><table>' in named  # the page's word, escaped
