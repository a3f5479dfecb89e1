"""Credentials issued by the service verify with the independent digitalbazaar JS verifier (tests/js_verifier)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lti_tool.locales import translations
from tests.integration.credentials.conftest import World

# The tool's own English words that a credential in another language must not carry.
ENGLISH_FIXED = ("(micro-credential)", "Learning outcome", "EQF level", "Overall score", "European Qualifications",
                 "every learning outcome", "green skills", "Online assessment of", "Internal review by")

JS_DIR = Path(__file__).resolve().parents[2] / "js_verifier"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (JS_DIR / "node_modules").is_dir(),
                       reason="tests/js_verifier/node_modules is missing: run `npm ci` in tests/js_verifier"),
]


def _js_verify(document: dict[str, Any], tmp_path: Path) -> bool:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run([str(NODE), str(JS_DIR / "verify.mjs"), str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    return bool(json.loads(done.stdout)["verified"])


def test_issued_credentials_verify_with_the_js_suite(world: World, tmp_path: Path) -> None:
    learners = [world.learner("l1"), world.learner("l2", name="Zoë Ünïcode", email="")]
    for learner, slug in zip(learners, ("wood-chain-of-custody", "building-selective-demolition")):
        document = world.issue(learner, slug).document
        assert _js_verify(document, tmp_path), slug
        tampered = copy.deepcopy(document)
        tampered["credentialSubject"]["result"][0]["value"] = "100"
        assert not _js_verify(tampered, tmp_path)


@pytest.mark.parametrize("locale", ["it", "bg", "fi"])
def test_a_credential_in_the_learners_language_verifies_with_the_js_suite(world: World, tmp_path: Path,
                                                                         locale: str) -> None:
    learner = world.learner(f"in-{locale}", name="Ана Иванова")
    learner.locale = locale
    slug = "building-selective-demolition"
    document = world.issue(learner, slug).document
    unit = world.unit(slug).document
    achievement = document["credentialSubject"]["achievement"]
    # Issued in the learner's language as a whole (OB 3.0: one name, one inLanguage), the English title nowhere.
    assert achievement["inLanguage"] == locale
    assert achievement["name"] == unit["title"][locale] != unit["title"]["en"]
    assert unit["title"][locale] in document["name"]
    assert unit["outcomes"][0]["title"][locale] in json.dumps(achievement, ensure_ascii=False)
    assert unit["title"]["en"] not in json.dumps(document, ensure_ascii=False)
    # Nor any fixed English word of the tool: the name's "(micro-credential)", "Learning outcome lo1:", the badge
    # caption's and the EQF alignment's "EQF level", the overall result, the criteria, the tag.
    signed = json.dumps(document, ensure_ascii=False)
    assert [fragment for fragment in ENGLISH_FIXED if fragment in signed] == []
    achievement_words = translations(locale).gettext
    assert document["name"] == achievement_words("%(title)s (micro-credential)") % {"title": unit["title"][locale]}
    assert achievement["image"]["caption"] == achievement_words("%(title)s (EQF level %(level)s)") % {
        "title": unit["title"][locale], "level": unit["eqf_level"]}
    assert _js_verify(document, tmp_path)
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = unit["title"]["en"]
    assert not _js_verify(tampered, tmp_path)


def test_a_learner_in_another_language_gets_the_english_credential(world: World, tmp_path: Path) -> None:
    learner = world.learner("in-de")
    learner.locale = "de"  # no unit is written in German
    document = world.issue(learner, "building-selective-demolition").document
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "en"
    assert achievement["name"] == world.unit("building-selective-demolition").document["title"]["en"]
    assert _js_verify(document, tmp_path)
