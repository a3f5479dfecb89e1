"""Issue 14 items 3 and 4: a public page a stranger understands, revocation everywhere, sharing, badges."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pypdf
from babel import Locale
from babel.dates import format_date
from flask.testing import FlaskClient
from flask_babel import refresh
from markupsafe import escape
from PIL import Image

from lti_tool.credentials import services
from lti_tool.db import db
from lti_tool.locales import translations
from tests.integration.credentials.conftest import World
from tests.integration.test_learner_pages_translated import english_sources, page_text

OB_NS = "https://purl.imsglobal.org/ob/v3p0"


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _verify(client: FlaskClient, document: dict) -> dict:
    response = client.post("/api/verify", json=document)
    assert response.status_code == 200
    return dict(response.get_json())


def test_revocation_is_stated_on_the_page_in_api_verify_and_in_a_regenerated_pdf(
    world: World, client: FlaskClient
) -> None:
    credential = world.issue(world.learner("l1"))
    before = pdf_text(client.get(f"/credentials/{credential.id}.pdf").get_data())
    assert "REVOKED" not in before
    assert _verify(client, credential.document)["verdict"] == {"state": "genuine", "problems": []}
    services.revoke(db.session, credential, "Issued to the wrong learner", "admin test",
                    now=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    db.session.commit()

    html = client.get(f"/credentials/{credential.id}").get_data(as_text=True)
    assert 'data-verdict="revoked"' in html
    assert "Revoked on November 21, 2026 because: Issued to the wrong learner" in html
    assert 'data-share="linkedin"' not in html  # nobody is invited to show off a revoked credential

    answer = _verify(client, credential.document)
    assert answer["verdict"]["state"] == "revoked"
    assert answer["revocation"] == {"revoked": True, "revoked_at": "2026-11-21T00:00:00+00:00",
                                    "reason": "Issued to the wrong learner", "superseded_by": None}

    after = pdf_text(client.get(f"/credentials/{credential.id}.pdf").get_data())
    assert "REVOKED on November 21, 2026 because Issued to the wrong learner" in after


def test_a_tampered_credential_is_explained_in_plain_words(world: World, client: FlaskClient) -> None:
    document = json.loads(json.dumps(world.issue(world.learner("l1")).document))
    document["credentialSubject"]["achievement"]["name"] = "Something else"
    answer = _verify(client, document)
    assert answer["verdict"] == {"state": "not_confirmed", "problems": ["altered"]}
    assert answer["revocation"] == {"revoked": False, "revoked_at": None, "reason": None, "superseded_by": None}


def test_page_speaks_the_viewers_language_and_shows_the_learners_title(world: World, client: FlaskClient) -> None:
    learner = world.learner("it-1", name="Giulia Rossi")
    learner.locale = "it-IT"
    db.session.commit()
    credential = world.issue(learner)
    unit = credential.unit.document
    html = client.get(f"/credentials/{credential.id}", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert f'<h1 lang="it">{unit["title"]["it"]}</h1>' in html
    signed_title = credential.document["credentialSubject"]["achievement"]["name"]
    assert signed_title.startswith(unit["title"]["it"])  # signed in the learner's language (the unit has it)
    assert str(escape(signed_title)) in html  # the title as signed stays visible
    italian_outcomes = [o["title"]["it"] for o in unit["outcomes"]
                        if isinstance(o["title"], dict) and "it" in o["title"]]
    assert italian_outcomes and all(str(escape(title)) in html for title in italian_outcomes)
    assert "Aito:" in html or "Aito" in html  # the verdict in Finnish
    assert "Genuine:" not in html


def test_issuer_is_a_page_for_people_and_json_ld_for_machines(world: World, client: FlaskClient) -> None:
    page = client.get("/issuer", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "MASTERY Project" in html and "Italy (IT)" in html and "<details" in html
    assert client.get("/issuer").mimetype == "application/ld+json"
    assert client.get("/issuer", headers={"Accept": "application/ld+json"}).get_json()["type"] == ["Profile"]
    assert client.get("/issuer.json", headers={"Accept": "text/html"}).mimetype == "application/ld+json"
    credential = world.issue(world.learner("l1"))
    assert 'href="/issuer"' in client.get(f"/credentials/{credential.id}").get_data(as_text=True)


def test_linkedin_link_and_open_graph(world: World, client: FlaskClient) -> None:
    credential = world.issue(world.learner("l1"))
    html = client.get(f"/credentials/{credential.id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)"[^>]*data-share="linkedin"', html)
    assert link is not None
    url = urlsplit(link.group(1).replace("&amp;", "&"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == credential.document["credentialSubject"]["achievement"]["name"]
    assert query["organizationName"] == "MASTERY Project"
    assert (query["issueYear"], query["issueMonth"]) == ("2026", "11")
    assert query["certUrl"] == credential.document["id"] and query["certId"] == credential.id
    meta = dict(re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)"', html))
    assert meta["og:url"] == credential.document["id"] and meta["og:title"]
    assert meta["og:image"].endswith(f"/credentials/{credential.id}/badge.png")
    assert client.get(urlsplit(meta["og:image"]).path).mimetype == "image/png"


def test_badge_image_is_the_achievement_image_and_baked_badges_carry_the_credential(
    world: World, client: FlaskClient
) -> None:
    credential = world.issue(world.learner("l1"))
    achievement = credential.document["credentialSubject"]["achievement"]
    image = achievement["image"]
    assert image["type"] == "Image" and image["id"] == achievement["id"] + "/badge.svg"
    svg = client.get(urlsplit(image["id"]).path)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.get_data(as_text=True))
    text = " ".join(root.itertext())
    assert "EQF 5" in text and "#5b3a1a" in svg.get_data(as_text=True)  # the wood sector's colour

    baked_svg = ET.fromstring(client.get(f"/credentials/{credential.id}/baked.svg").get_data(as_text=True))
    first = list(baked_svg)[0]
    assert first.tag == f"{{{OB_NS}}}credential"  # directly after <svg>
    assert json.loads(first.text or "") == credential.document

    png = Image.open(io.BytesIO(client.get(f"/credentials/{credential.id}/baked.png").get_data()))
    png.load()
    assert json.loads(png.text["openbadgecredential"]) == credential.document  # type: ignore[attr-defined]
    assert _verify(client, json.loads(png.text["openbadgecredential"]))["ok"] is True  # type: ignore[attr-defined]
    assert client.get("/achievements/no-such-unit/1.0.0/badge.svg").status_code == 404


# The sentence the public page uses for each set of identifiers a credential carries.
IDENTIFIED_BY = {
    "name email account": "identified by name, e-mail address and learning-platform account; the address and the "
                          "account are stored only as salted hashes",
    "name account": "identified by name and learning-platform account; the account is stored only as a salted hash",
}


def test_the_page_says_how_the_holder_is_identified_in_every_language(world: World, client: FlaskClient) -> None:
    by_email = world.issue(world.learner("with-email"))
    by_account = world.issue(world.learner("no-email", email=""))
    for credential, kinds in ((by_email, "name email account"), (by_account, "name account")):
        identifiers = {i["identityType"] for i in credential.document["credentialSubject"]["identifier"]}
        assert ("emailAddress" in identifiers) == ("email" in kinds)
        for locale in ("en", "it", "es", "fi", "bg", "fr", "nl"):
            refresh()  # the world's app context is shared by the requests: forget the last request's locale
            html = client.get(f"/credentials/{credential.id}",
                              headers={"Accept-Language": locale}).get_data(as_text=True)
            assert f'data-identified-by="{kinds}"' in html, locale
            code = credential.document["issuer"]["address"]["addressCountryCode"]
            assert Locale.parse(locale).territories[code] in html, locale  # the country in the reader's language
            _, text = page_text(html)
            assert translations(locale).gettext(IDENTIFIED_BY[kinds]) in text, (locale, kinds)
            others = [sentence for other, sentence in IDENTIFIED_BY.items() if other != kinds]
            assert not [s for s in others if translations(locale).gettext(s) in text], (locale, kinds)


def test_a_credential_issued_in_italian_prints_an_italian_certificate(world: World, client: FlaskClient) -> None:
    learner = world.learner("it-pdf", name="Giulia Rossi")
    learner.locale = "it"
    db.session.commit()
    credential = world.issue(learner)
    assert credential.document["credentialSubject"]["achievement"]["inLanguage"] == "it"
    text = pdf_text(client.get(f"/credentials/{credential.id}.pdf").get_data())
    italian = translations("it").gettext
    for sentence in ("This certifies that", "has been awarded the micro-credential", "Learning outcomes achieved",
                     "Check this credential online"):
        assert italian(sentence) != sentence and italian(sentence) in text, sentence
        assert sentence not in text
    first = credential.unit.document["outcomes"][0]
    assert f"Risultato di apprendimento {first['id']}: {first['title']['it']}"[:60] in text
    assert [piece for piece in english_sources("it") if piece in text] == []
    assert format_date(credential.issued_at, "long", locale="it") in text  # the date the Italian way
    # The awarding body's country is named the Italian way (CLDR), from the signed code, not the signed English name.
    code = credential.document["issuer"]["address"]["addressCountryCode"]
    assert Locale.parse("it").territories[code] in text
    # Its badge image is the Italian one: the title and the accessible name in Italian.
    image = urlsplit(credential.document["credentialSubject"]["achievement"]["image"]["id"])
    assert image.query == "lang=it"
    svg = client.get(image.path, query_string=image.query).get_data(as_text=True)
    title = credential.unit.document["title"]["it"]
    root = ET.fromstring(svg)
    assert root.get("aria-label") == f"{title}, livello EQF 5"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "it"
