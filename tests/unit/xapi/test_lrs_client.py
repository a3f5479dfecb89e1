"""LRS client against a scripted HTTP server (httpx.MockTransport): bytes, headers, outcomes, paging."""

from __future__ import annotations

import base64
import datetime as dt

import httpx
import pytest

from lti_tool.xapi.lrs_client import LrsClient, LrsError, Outcome

BATCH = [("id-1", b'{"id":"id-1","b":1}'), ("id-2", b'{"id":"id-2","a":2}')]


def client(handler: object) -> LrsClient:
    """A client whose HTTP answers come from `handler`."""
    return LrsClient("http://lrs.test/xAPI", "user", "pa:ss", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_post_sends_the_exact_bytes_with_version_and_basic_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=["id-1", "id-2"])

    result = client(handler).post_batch(BATCH)
    request = seen[0]
    assert request.method == "POST" and str(request.url) == "http://lrs.test/xAPI/statements"
    assert request.content == b'[{"id":"id-1","b":1},{"id":"id-2","a":2}]'
    assert request.headers["X-Experience-API-Version"] == "1.0.3"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"user:pa:ss").decode()
    assert result.outcome is Outcome.DELIVERED and result.stored_ids == ("id-1", "id-2")


@pytest.mark.parametrize(
    ("status", "outcome", "retryable"),
    [
        (204, Outcome.DELIVERED, False),
        (409, Outcome.CONFLICT, False),
        (400, Outcome.REJECTED, False),
        (422, Outcome.REJECTED, False),
        (401, Outcome.AUTH_FAILED, True),
        (403, Outcome.AUTH_FAILED, True),
        (500, Outcome.RETRYABLE, True),
        (503, Outcome.RETRYABLE, True),
        (404, Outcome.RETRYABLE, True),
    ],
)
def test_status_codes_map_to_outcomes(status: int, outcome: Outcome, retryable: bool) -> None:
    result = client(lambda request: httpx.Response(status, text="why")).post_batch(BATCH)
    assert (result.outcome, result.status_code, result.retryable) == (outcome, status, retryable)
    if status != 204:
        assert result.body == "why"


def test_partial_200_is_delivered_with_only_the_new_ids() -> None:
    result = client(lambda request: httpx.Response(200, json=["id-2"])).post_batch(BATCH)
    assert result.outcome is Outcome.DELIVERED and result.stored_ids == ("id-2",)


@pytest.mark.parametrize(
    ("error", "requests"),
    [(httpx.ConnectError("refused"), 1), (httpx.ReadTimeout("slow"), 1), (httpx.RemoteProtocolError("reset"), 2)],
)
def test_transport_errors_are_retryable(error: Exception, requests: int) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise error

    result = client(handler).post_batch(BATCH)
    assert result.outcome is Outcome.RETRYABLE and result.status_code is None and result.retryable
    assert type(error).__name__ in result.body
    assert len(calls) == requests  # only a dropped keep-alive connection is retried at once


def test_500_after_store_then_a_reset_connection_then_204_is_delivered() -> None:
    answers: list[object] = [httpx.Response(500), httpx.ReadError("connection reset"), httpx.Response(204)]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    lrs = client(handler)
    assert lrs.post_batch(BATCH).outcome is Outcome.RETRYABLE
    again = lrs.post_batch(BATCH)
    assert (again.outcome, again.status_code) == (Outcome.DELIVERED, 204) and not answers


def test_empty_batch_sends_nothing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert client(handler).post_batch([]).outcome is Outcome.DELIVERED


def test_on_sent_is_called_before_post_batch_returns_whatever_happens() -> None:
    # With the real transport httpcore calls it as soon as the body is written (the pipeline test in
    # tests/integration/xapi/test_pipeline.py depends on that); here: answered, refused connection, empty.
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for lrs, batch, outcome in ((client(lambda request: httpx.Response(204)), BATCH, Outcome.DELIVERED),
                                (client(refused), BATCH, Outcome.RETRYABLE),
                                (client(refused), [], Outcome.DELIVERED)):
        calls: list[str] = []
        assert lrs.post_batch(batch, on_sent=lambda: calls.append("sent")).outcome is outcome
        assert calls and set(calls) == {"sent"}


def test_get_follows_relative_more_links_and_encodes_filters() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        if "search_after" not in request.url.params:
            return httpx.Response(
                200, json={"statements": [{"id": "1"}, {"id": "2"}], "more": "/xAPI/statements?limit=2&search_after=2"}
            )
        if request.url.params["search_after"] == "2":
            return httpx.Response(
                200, json={"statements": [{"id": "3"}, {"id": "4"}], "more": "/xAPI/statements?limit=2&search_after=4"}
            )
        return httpx.Response(200, json={"statements": [], "more": "/xAPI/statements?limit=2&search_after=x"})

    since = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    got = list(client(handler).iter_statements(
        agent={"account": {"homePage": "https://m.example", "name": "7"}},
        since=since,
        limit=2,
        related_activities=True,
        registration=None,
    ))
    assert [s["id"] for s in got] == ["1", "2", "3", "4"]
    first = httpx.URL(urls[0])
    assert first.params["agent"] == '{"account":{"homePage":"https://m.example","name":"7"}}'
    assert first.params["since"] == "2026-01-01T10:00:00+00:00"
    assert first.params["related_activities"] == "true" and "registration" not in first.params
    assert urls[1] == "http://lrs.test/xAPI/statements?limit=2&search_after=2"
    assert len(urls) == 3  # stops at the empty page


def test_naive_since_and_http_errors_on_read_are_refused() -> None:
    lrs = client(lambda request: httpx.Response(500, text="boom"))
    with pytest.raises(ValueError, match="timezone"):
        list(lrs.iter_statements(since=dt.datetime(2026, 1, 1)))
    with pytest.raises(LrsError, match="500"):
        list(lrs.iter_statements(verb="http://adlnet.gov/expapi/verbs/passed"))


def test_reachable() -> None:
    assert client(lambda request: httpx.Response(404)).reachable()
    assert not client(lambda request: httpx.Response(502)).reachable()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    assert not client(down).reachable()
