"""The LMS administrator's Dynamic Registration page speaks the browser's language (Accept-Language).

Real bad registrations against the independent platform's Dynamic Registration service, through the Flask test
client (the tool's registration client really fetches the platform's configuration and posts to it): every
refusal is a whole sentence of the catalogue, translated, with the platform's own English words quoted inside it
and marked lang="en" (the checks of ``test_learner_pages_translated``: no English catalogue text outside it).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool.launch.registration_key import make_key
from lti_tool.runtime import current_settings
from tests.integration.test_learner_pages_translated import english_sources, page_text, untranslated
from tests.lti_platform import TestPlatform

LOCALES = ("it", "bg")
# The platform double's RFC 7591 error for a registration token it never issued.
PLATFORM_SAYS = "invalid_token: missing, unknown or already used registration token"


def _register(app: Flask, client: FlaskClient, locale: str, **query: str) -> tuple[int, str]:
    params = {"key": make_key(current_settings(app).secret_key), **query}
    answer = client.get("/lti/register", query_string=params, headers={"Accept-Language": f"{locale},en;q=0.5"})
    return answer.status_code, answer.get_data(as_text=True)


def _code(page: str) -> str:
    match = re.search(r'data-error-code="(\w+)"', page)
    assert match, page[:600]
    return match.group(1)


@pytest.mark.parametrize("locale", LOCALES)
def test_refused_registrations_read_in_the_administrators_language(app: Flask, client: FlaskClient,
                                                                   platform: TestPlatform, locale: str) -> None:
    double = platform.dynamic_registration
    configuration = double.configuration_url
    pages: dict[str, tuple[int, str]] = {
        "no configuration": _register(app, client, locale),
        "forged registration token": _register(app, client, locale, openid_configuration=configuration,
                                               registration_token="forged-token"),
        "no registration key": (lambda a: (a.status_code, a.get_data(as_text=True)))(client.get(
            "/lti/register", query_string={"openid_configuration": configuration},
            headers={"Accept-Language": locale})),
    }
    double.issuer_override = f"http://localhost:{urlsplit(platform.issuer).port}"  # same machine, another origin
    pages["issuer on another host"] = _register(app, client, locale, openid_configuration=configuration,
                                                registration_token=double.new_registration_token())

    assert {name: (status, _code(page)) for name, (status, page) in pages.items()} == {
        "no configuration": (400, "missing_configuration"),
        "forged registration token": (400, "platform_refused"),
        "no registration key": (403, "registration_key"),
        "issuer on another host": (400, "issuer_mismatch"),
    }
    assert double.registrations == [] and double.tools == {}  # nothing registered on the LMS's side either
    found = {name: untranslated(page, locale) for name, (_, page) in pages.items()}
    assert {name: pieces for name, pieces in found.items() if pieces} == {}

    # The platform's own words are there, quoted and marked English, inside the translated sentence.
    refused = pages["forged registration token"][1]
    assert f'<q lang="en">{PLATFORM_SAYS}</q>' in refused
    _, text = page_text(refused)
    assert PLATFORM_SAYS not in text  # the English detail is outside the page's own language
    assert "HTTP 401" in text
    # Every message of the page is the locale's catalogue text, not a generic page: the English sentence is gone.
    sources = english_sources(locale)
    for english in ("The platform refused the registration", "names the issuer",
                    "page for registering a tool by URL"):
        assert any(english in piece for piece in sources), f"{english!r} is not translated into {locale}"
        assert not any(english in page for _, page in pages.values())


def test_the_page_is_english_for_an_english_browser(app: Flask, client: FlaskClient, platform: TestPlatform) -> None:
    status, page = _register(app, client, "en", openid_configuration=platform.dynamic_registration.configuration_url,
                             registration_token="forged-token")
    assert status == 400 and 'lang="en"' in page
    assert "The platform refused the registration (HTTP 401), saying" in page
