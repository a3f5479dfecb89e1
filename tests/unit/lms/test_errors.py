"""Classification of platform answers: retryable (5xx, 408, 429) or permanent (other 4xx), reason kept."""

from __future__ import annotations

import pytest

from lti_tool.lms.errors import from_response, is_retryable_status, platform_message


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 415, 422])
def test_permanent_statuses(status: int) -> None:
    assert not is_retryable_status(status)


def test_platform_message_prefers_json_fields_then_text_then_reason() -> None:
    assert platform_message('{"error": "x", "message": "User cannot be graded"}', "Bad Request") == \
        "User cannot be graded"
    assert platform_message('{"error_description": "expired"}', "") == "expired"
    assert platform_message("Incorrect score received", "Bad Request") == "Incorrect score received"
    assert platform_message("<html><body>Oops</body></html>", "Bad Gateway") == "Bad Gateway"
    assert platform_message("", "Forbidden") == "Forbidden"
    assert len(platform_message("x" * 5000, "")) == 500


def test_from_response_keeps_the_reason_for_the_teacher() -> None:
    error = from_response("Sending the score to the LMS", 422, '{"message": "scoreGiven too high"}', "")
    assert not error.retryable and error.http_status == 422
    assert error.message == "Sending the score to the LMS: the LMS answered HTTP 422 (scoreGiven too high)"
    assert from_response("x", 503, "", "Service Unavailable").retryable
