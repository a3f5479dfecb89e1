"""The xAPI Profile document: every term the builders use is declared, under the tool's base URL."""

from __future__ import annotations

import json
import re
import uuid

from lti_tool.xapi import statements as st
from lti_tool.xapi.profile import PROFILE_VERSION, Extension, Profile, ToolActivityType, ToolVerb, profile_document
from tests.unit.xapi.factories import T0, journey, scope, unit

BASE = "https://tool.example.eu"


def test_document_structure_follows_the_profiles_spec() -> None:
    doc = profile_document(BASE + "/")
    assert doc["@context"] == "https://w3id.org/xapi/profiles/context"
    assert doc["id"] == f"{BASE}/xapi/profile"
    assert doc["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    version = {"id": f"{BASE}/xapi/profile/v{PROFILE_VERSION}", "generatedAtTime": "2026-12-05T00:00:00Z"}
    assert doc["versions"] == [version]
    for part in doc["concepts"] + doc["templates"]:
        assert part["inScheme"] == doc["versions"][0]["id"]
        assert part["prefLabel"]["en"] and part["definition"]["en"]
    ids = [part["id"] for part in doc["concepts"] + doc["templates"]]
    assert len(ids) == len(set(ids))
    for concept in doc["concepts"]:
        if concept["type"] == "ContextExtension":
            json.loads(concept["inlineSchema"])


def test_every_tool_term_is_a_concept() -> None:
    prof = Profile(BASE)
    concepts = {c["id"]: c["type"] for c in profile_document(BASE)["concepts"]}
    assert {prof.verb(v) for v in ToolVerb} <= {i for i, t in concepts.items() if t == "Verb"}
    assert {prof.activity_type(a) for a in ToolActivityType} <= {i for i, t in concepts.items() if t == "ActivityType"}
    assert {prof.extension(e) for e in Extension} == {i for i, t in concepts.items() if t == "ContextExtension"}


def test_every_built_statement_matches_a_template_and_its_rules() -> None:
    prof = Profile(BASE)
    templates = profile_document(BASE)["templates"]
    statements = journey(prof, scope(), unit(), uuid.uuid4())
    statements.append(st.credential_revoked(prof, scope(), unit(), uuid.uuid4(), T0))
    for statement in statements:
        kind = statement["object"]["definition"]["type"]
        matches = [t for t in templates if t["verb"] == statement["verb"]["id"] and t.get("objectActivityType") == kind]
        assert len(matches) == 1, statement["verb"]["id"]
        template = matches[0]
        parents = [a["definition"]["type"] for a in statement["context"]["contextActivities"].get("parent", [])]
        assert parents == template.get("contextParentActivityType", [])
        for rule in template["rules"]:
            present = _lookup(statement, rule["location"])
            if rule.get("presence") == "included":
                assert present is not None, rule["location"]
            if rule.get("presence") == "excluded":
                assert present is None, rule["location"]
            if "any" in rule:
                assert set(rule["any"]) & set(present or []), rule["location"]


def _lookup(statement: dict, location: str) -> object:
    """A tiny JSONPath for the template rules we write: $.a.b, $.a['iri'], $.a.b[*].id."""
    node: object = statement
    for quoted, name, _star in re.findall(r"\['([^']+)'\]|\.([A-Za-z_]+)(\[\*\])?", location):
        key = quoted or name
        if isinstance(node, list):
            node = [n.get(key) for n in node if isinstance(n, dict)]
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    return node
