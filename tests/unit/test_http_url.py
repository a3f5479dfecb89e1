"""The one check of absolute http(s) URLs and their origins (lti_tool/http_url.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.http_url import is_http_url, origin, same_origin


@pytest.mark.parametrize("url", ["http://127.0.0.1:8100/xAPI/", "https://moodle.example", "HTTPS://Moodle.Example/x?y#z",
                                 "https://[::1]:8443/", "http://user:pw@lms.example/"])
def test_absolute_http_urls_are_accepted(url: str) -> None:
    assert is_http_url(url)


@pytest.mark.parametrize("url", ["", "/lti/launch", "lms.example/x", "ftp://lms.example/", "javascript:alert(1)",
                                 "https:///no-host", "http://:80/", "https://lms.example:99999/",
                                 "https://lms.example:port/", None, 42])
def test_anything_else_is_refused(url: object) -> None:
    assert not is_http_url(url)


def test_origin_is_written_as_a_browser_writes_it() -> None:
    # RFC 6454 §6.2: lower-case scheme and host, no user-info, the port only when it is not the default.
    assert origin("HTTPS://Moodle.Example:443/login/auth.php?x=1") == "https://moodle.example"
    assert origin("https://moodle.example:8443/login") == "https://moodle.example:8443"
    assert origin("http://user:pw@127.0.0.1:5000/lti") == "http://127.0.0.1:5000"
    assert origin("http://lms.example:80") == "http://lms.example"
    assert origin("https://[::1]:8443/") == "https://[::1]:8443"
    assert origin("javascript:alert(1)") == origin("https:///no-host") == origin("") == ""


def test_same_origin() -> None:
    assert same_origin("http://127.0.0.1:5000/lti/launch", "http://127.0.0.1:5000")
    assert same_origin("http://Host:8/a?x", "http://host:8/b")
    assert same_origin("https://lms.example:443/a", "https://LMS.example/b")
    assert not same_origin("http://127.0.0.1:5001/lti/launch", "http://127.0.0.1:5000")
    assert not same_origin("https://127.0.0.1:5000/", "http://127.0.0.1:5000")
    assert not same_origin("/relative", "/relative")  # two non-URLs share no origin
    assert not same_origin("", "")


@given(st.sampled_from(["http", "https"]), st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,5}){1,2}", fullmatch=True),
       st.none() | st.integers(1, 65535), st.from_regex(r"(/[a-z0-9]{0,8}){0,3}", fullmatch=True))
def test_a_url_is_on_its_own_origin(scheme: str, host: str, port: int | None, path: str) -> None:
    url = f"{scheme}://{host}" + (f":{port}" if port else "") + path
    assert is_http_url(url) and same_origin(url, origin(url)) and origin(origin(url)) == origin(url)
