"""Where a launch landed: the tool answers the id_token POST with the landing page itself, which names its own
address (``<meta name="landing-url">``; in a browser, js/landing.js puts it in place of the POST in the history)."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import requests

_LANDING = re.compile(r'<meta name="landing-url" content="([^"]+)"')


def landing_url(response: requests.Response) -> str:
    """The absolute URL of the page a launch answered with (a GET of it shows the page again)."""
    found = _LANDING.search(response.text)
    assert found is not None, f"no landing URL in the answer to {response.url}: {response.text[:300]}"
    return urljoin(response.url, html.unescape(found.group(1)))
