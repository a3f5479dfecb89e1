"""A course page that frames the tool, as an LMS does, and answers LTI postMessage storage calls.

LTI Client Side postMessages (1EdTech): the tool frame sends {subject: "lti.put_data" | "lti.get_data",
message_id, key[, value]} to the frame named by lti_storage_target; the platform answers with subject
"<subject>.response", the same message_id and key, and value (or an error), to the sender's origin only.
Values are partitioned by the sender's origin, as the spec requires.
"""

from __future__ import annotations

import html
import secrets
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from .server import HttpRequest, HttpResponse, Router

_STORAGE_SCRIPT = """
const store = new Map();
window.addEventListener("message", (event) => {
  const m = event.data || {};
  if (m.subject !== "lti.put_data" && m.subject !== "lti.get_data") { return; }
  const key = event.origin + " " + m.key;
  const answer = {subject: m.subject + ".response", message_id: m.message_id, key: m.key};
  if (m.subject === "lti.put_data") { store.set(key, m.value); answer.value = m.value; }
  else if (store.has(key)) { answer.value = store.get(key); }
  else { answer.error = {code: "bad_request", message: "no such key"}; }
  window.storageCalls = (window.storageCalls || 0) + 1;
  event.source.postMessage(answer, event.origin);
});
"""


class CoursePages:
    """Pages at /course/<token>, each with one iframe that starts a third-party login in the tool."""

    def __init__(self, base_url: Callable[[], str]) -> None:
        self._base_url = base_url
        self._pages: dict[str, str] = {}
        self._lock = threading.Lock()

    def routes(self, router: Router) -> None:
        """Register the page route."""
        router.add("GET", r"/course/(?P<token>[A-Za-z0-9_-]+)", self._page)

    def add(self, login_url: str, params: dict[str, str]) -> str:
        """Make a page whose iframe opens login_url?params; returns the page URL."""
        token = secrets.token_urlsafe(8)
        src = f"{login_url}?{urlencode(params)}"
        storage = "lti_storage_target" in params
        page = (
            "<!doctype html><html><head><title>Course</title>"
            + (f"<script>{_STORAGE_SCRIPT}</script>" if storage else "")
            + "</head><body><h1>Green skills course</h1>"
            + f'<iframe name="tool" id="tool" title="MASTERY" src="{html.escape(src)}" width="800" height="600"'
            + ' allow="clipboard-write"></iframe></body></html>'
        )
        with self._lock:
            self._pages[token] = page
        return f"{self._base_url()}/course/{token}"

    def _page(self, _request: HttpRequest, match: Any) -> HttpResponse:
        with self._lock:
            page = self._pages.get(match.group("token"))
        if page is None:
            return HttpResponse.json({"error": "not_found"}, 404)
        return HttpResponse.html(page)
