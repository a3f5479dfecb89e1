"""The browser side of a launch: follow the tool's redirect (302, auto-submitting form, JS or meta refresh)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

MAX_HOPS = 10
TIMEOUT = 30
_JS_ASSIGN = re.compile(r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*(["'])(.*?)(?<!\\)\1""")
_JS_CALL = re.compile(r"""location\.(?:replace|assign)\(\s*(["'])(.*?)(?<!\\)\1\s*\)""")
_META_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


@dataclass
class Hop:
    """One request the browser makes next."""

    method: str
    url: str
    data: dict[str, str] | None = None


@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    """Collects forms with their fields, script text, meta refresh and whether something auto-submits."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.scripts: list[str] = []
        self.meta_refresh: str | None = None
        self.autosubmit = False
        self._in_script = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(attr.get("action", ""), (attr.get("method") or "get").upper()))
        elif tag == "input" and self.forms and attr.get("name"):
            kind = attr.get("type", "text").lower()
            # What a browser submits: no buttons or files, and only checked boxes.
            if kind not in ("submit", "button", "image", "reset", "file", "checkbox", "radio") or "checked" in attr:
                self.forms[-1].fields[attr["name"]] = attr.get("value", "")
        elif tag == "textarea" and self.forms and attr.get("name"):
            self._textarea = attr["name"]
            self.forms[-1].fields[self._textarea] = ""
        elif tag == "script":
            self._in_script = True
        elif tag == "meta" and attr.get("http-equiv", "").lower() == "refresh":
            found = _META_URL.search(attr.get("content", ""))
            self.meta_refresh = found.group(1).strip() if found else None
        elif tag == "body" and ".submit()" in attr.get("onload", ""):
            self.autosubmit = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
            if ".submit()" in data:
                self.autosubmit = True
        elif self._textarea is not None and self.forms:
            self.forms[-1].fields[self._textarea] += data


def _js_string(raw: str) -> str:
    """Undo the JS string escapes a template may emit (\\/, \\u0026, \\x26, \\")."""
    text = raw.replace("\\/", "/")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub(r"\\(.)", r"\1", text)


def next_hop(response: requests.Response) -> Hop | None:
    """Where a browser goes after `response`, or None when the page just stays (an error or a final page)."""
    if response.is_redirect and "Location" in response.headers:
        return Hop("GET", urljoin(response.url, response.headers["Location"]))
    if "html" not in response.headers.get("Content-Type", ""):
        return None
    page = _PageParser()
    page.feed(response.text)
    script = "\n".join(page.scripts)
    for pattern in (_JS_ASSIGN, _JS_CALL):
        found = pattern.search(script)
        if found:
            return Hop("GET", urljoin(response.url, _js_string(found.group(2))))
    if page.forms and page.autosubmit:
        form = page.forms[0]
        return Hop(form.method, urljoin(response.url, form.action), dict(form.fields))
    if page.meta_refresh:
        return Hop("GET", urljoin(response.url, page.meta_refresh))
    return None


def send(browser: requests.Session, hop: Hop, *, follow: bool = False) -> requests.Response:
    """Make the request of one hop."""
    if hop.method == "POST":
        return browser.post(hop.url, data=hop.data or {}, allow_redirects=follow, timeout=TIMEOUT)
    return browser.get(hop.url, params=hop.data or None, allow_redirects=follow, timeout=TIMEOUT)


def _same_endpoint(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)


def run_launch(
    browser: requests.Session,
    *,
    login_url: str,
    login_params: Mapping[str, str],
    login_method: str,
    auth_url: str,
    follow_redirects: bool = True,
) -> requests.Response:
    """Login initiation → the tool's redirect(s) → platform auth endpoint → form_post of id_token to the tool.

    Returns the tool's answer to the id_token POST (redirects followed when `follow_redirects`), or the
    first response that leads nowhere (the tool's or the platform's error page).
    """
    response = send(browser, Hop(login_method.upper(), login_url, dict(login_params)))
    for _ in range(MAX_HOPS):
        hop = next_hop(response)
        if hop is None:
            return response
        response = send(browser, hop)
        if _same_endpoint(hop.url, auth_url):
            answer = next_hop(response)
            if response.status_code != 200 or answer is None:
                return response  # the platform refused without redirecting (RFC 6749 4.1.2.1)
            return send(browser, answer, follow=follow_redirects)
    raise RuntimeError(f"more than {MAX_HOPS} redirects before reaching the platform auth endpoint")
