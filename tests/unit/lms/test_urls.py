"""Scores URL building: /scores goes into the path, Moodle's query string stays (AGS 2.0 §3.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.http_url import same_origin
from lti_tool.lms.urls import scores_url, with_query


@pytest.mark.parametrize(("lineitem", "expected"), [
    ("https://lms.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1",
     "https://lms.example.org/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1"),
    ("https://canvas.example.org/api/lti/courses/1/line_items/9",
     "https://canvas.example.org/api/lti/courses/1/line_items/9/scores"),
    ("https://lms.example.org/items/9/", "https://lms.example.org/items/9/scores"),
    ("http://127.0.0.1:8000/li/3?a=1&b=two#frag", "http://127.0.0.1:8000/li/3/scores?a=1&b=two#frag"),
])
def test_scores_url_inserts_into_the_path(lineitem: str, expected: str) -> None:
    assert scores_url(lineitem) == expected


def test_scores_url_refuses_a_relative_url() -> None:
    with pytest.raises(ValueError):
        scores_url("/lineitems/1?type_id=1")


@given(st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True), st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
def test_scores_url_never_touches_the_query(name: str, value: str) -> None:
    url = scores_url(f"https://lms.example.org/a/lineitem?{name}={value}")
    assert url == f"https://lms.example.org/a/lineitem/scores?{name}={value}"


def test_with_query_keeps_other_parameters_and_replaces_same_names() -> None:
    url = with_query("https://lms.example.org/lineitems?type_id=1&limit=5", limit=100, resource_link_id="rl 1")
    assert url == "https://lms.example.org/lineitems?type_id=1&limit=100&resource_link_id=rl+1"


def test_same_origin_compares_scheme_host_and_port() -> None:
    assert same_origin("http://Host:8/a?x", "http://host:8/b")
    assert not same_origin("http://host:9/a", "http://host:8/a")
    assert not same_origin("https://host:8/a", "http://host:8/a")


def test_results_url_inserts_into_the_path_and_keeps_the_query() -> None:
    from lti_tool.lms.urls import results_url

    assert results_url("https://m.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1") == (
        "https://m.example/mod/lti/services.php/2/lineitems/7/lineitem/results?type_id=1")
