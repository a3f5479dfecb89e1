"""JSON Schema check of a credential against the shipped OB 3.0 AchievementCredential schema (Draft 2019-09)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
ACHIEVEMENT_CREDENTIAL_SCHEMA = "ob_v3p0_achievementcredential_schema.json"


@functools.cache
def achievement_credential_validator() -> Draft201909Validator:
    """The compiled validator (built on first use); ``format: date-time`` is checked (rfc3339-validator)."""
    schema = json.loads((SCHEMA_DIR / ACHIEVEMENT_CREDENTIAL_SCHEMA).read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FormatChecker())


def schema_errors(credential: Mapping[str, Any]) -> list[str]:
    """Every schema violation as ``path: message`` (empty when the credential conforms)."""
    validator = achievement_credential_validator()
    errors = sorted(validator.iter_errors(dict(credential)), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}" for error in errors]
