"""Unit files: read, validate against unit_schema.json plus the rules a JSON Schema cannot say, and hash.

Pure module (no Flask, no SQLAlchemy). The file format is the public contract of DESIGN.md section 3
"Unit files"; every problem of a file is collected so an author can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from lti_tool.catalogue.field_errors import FieldError, format_path
from lti_tool.catalogue.unit_assets import attach_figures, merge_translations
from lti_tool.catalogue.unit_checks import semantic_errors

__all__ = [
    "FieldError",
    "UnitFileError",
    "content_hash",
    "iter_unit_files",
    "read_unit_file",
    "unit_schema",
    "validate_unit_document",
]

SCHEMA_PATH = Path(__file__).with_name("unit_schema.json")
MEMORY_SOURCE = "<memory>"


_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


class UnitFileError(Exception):
    """A unit file (or in-memory unit) with one or more problems, each tied to a field path."""

    def __init__(self, path: str, errors: Sequence[FieldError]) -> None:
        self.path: str = path
        self.errors: list[FieldError] = list(errors)
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = len(self.errors)
        lines = [f"{self.path}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {error}" for error in self.errors]
        return "\n".join(lines)


@cache
def unit_schema() -> dict[str, Any]:
    """Return the unit JSON Schema (Draft 2020-12), read once from unit_schema.json."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(unit_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_unit_document(doc: Any, *, source: str = MEMORY_SOURCE, expected_slug: str | None = None) -> None:
    """Raise UnitFileError listing every schema and consistency problem of a unit document."""
    if not isinstance(doc, dict):
        found = "nothing (empty file)" if doc is None else _json_type(doc)
        raise UnitFileError(source, [FieldError("", f"the unit must be a mapping of fields, not {found}")])
    errors = _schema_errors(doc)
    errors += semantic_errors(doc, expected_slug=expected_slug)
    if errors:
        raise UnitFileError(source, _dedupe(errors))


def read_unit_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load one unit YAML file safely and validate it (its slug must equal the file stem).

    Its translation files and figures (unit_assets.py) are merged in before validation, so the returned
    document is what the tool shows, and a declared language is checked as complete.
    """
    file = Path(path)
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnitFileError(source, [FieldError("", f"cannot read the file: {exc}")]) from exc
    try:
        doc = yaml.load(text, Loader=_UnitLoader)  # noqa: S506 - _UnitLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        raise UnitFileError(source, [_yaml_error(exc)]) from exc
    except yaml.YAMLError as exc:
        raise UnitFileError(source, [FieldError("", f"YAML error: {exc}")]) from exc
    asset_errors: list[FieldError] = []
    if isinstance(doc, dict):
        asset_errors += merge_translations(doc, file, _load_yaml)
        asset_errors += attach_figures(doc, file)
    try:
        validate_unit_document(doc, source=source, expected_slug=file.stem)
    except UnitFileError as error:
        raise UnitFileError(source, _dedupe([*asset_errors, *error.errors])) from None
    if asset_errors:
        raise UnitFileError(source, asset_errors)
    return doc


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_UnitLoader)  # noqa: S506 - _UnitLoader is a SafeLoader


def iter_unit_files(directory: str | os.PathLike[str]) -> list[Path]:
    """List the unit files (*.yaml) of a directory, sorted by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"unit directory not found: {folder}")
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def content_hash(doc: Mapping[str, Any]) -> str:
    """Return the hex sha256 of the document's canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- YAML loading -------------------------------------------------------------------------------


# libyaml's parser (CSafeLoader) reads the units about 5x faster than the pure-Python one; the constructors,
# and so what is accepted, are the same Python code in both.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UnitLoader(_SafeBase):  # type: ignore[valid-type,misc]  # the base is picked at import time
    """SafeLoader that rejects duplicate keys and non-string keys instead of silently keeping one."""


def _construct_mapping(loader: _UnitLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    first_line: dict[str, int] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            # PyYAML 1.1 turns `no`, `on`, `1` into bool/int keys; `no` is also Norwegian's language code.
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is not a string (put it in quotes)", key_node.start_mark
            )
        if key in first_line:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first used at line {first_line[key]})", key_node.start_mark
            )
        first_line[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_UnitLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_error(exc: yaml.MarkedYAMLError) -> FieldError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    kind = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
    where = f" at line {line}, column {mark.column + 1}" if mark is not None else ""
    problem = exc.problem or exc.context or "unreadable YAML"
    return FieldError("", f"{kind}{where}: {problem}", line=line)


# --- JSON Schema errors turned into field paths and sentences -----------------------------------


def _schema_errors(doc: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for error in _validator().iter_errors(doc):
        errors.extend(_explain(error, doc))
    return errors


def _explain(error: ValidationError, doc: dict[str, Any]) -> Iterator[FieldError]:
    path = list(error.absolute_path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        for name in value if isinstance(value, list) else ():  # `required` names a list of keys
            if isinstance(instance, dict) and name not in instance:
                message = "English text ('en') is required" if name == "en" else "is required"
                yield FieldError(format_path([*path, name]), message)
    elif kind == "not":
        # Only $defs/forbidden uses `not`: a field that the item's type has no use for.
        item_type = _item_type(doc, path[:-1])
        yield FieldError(format_path(path), f"is not used by items of type {item_type!r}; remove it")
    elif kind == "additionalProperties":
        for name in _unknown_keys(instance, schema):
            yield FieldError(format_path([*path, name]), "is not a known field (own extensions must start with 'x-')")
    else:
        yield FieldError(format_path(path), _sentence(kind, value, instance, schema, error.message))


def _sentence(kind: Any, value: Any, instance: Any, schema: dict[str, Any], fallback: str) -> str:
    described = schema.get("description")
    if kind == "type":
        wanted = described or " or ".join(_TYPE_WORDS.get(t, t) for t in ([value] if isinstance(value, str) else value))
        return f"must be {wanted}, not {_json_type(instance)} {_short(instance)}".rstrip()
    if kind == "pattern":
        return f"{_short(instance)} is not {described}" if described else f"{_short(instance)} has the wrong format"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, value))}; got {_short(instance)}"
    if kind == "contains" and isinstance(value, dict) and "const" in value:
        return f"must include {value['const']!r}"
    limits = {
        "minimum": "must be at least {}",
        "maximum": "must be at most {}",
        "exclusiveMinimum": "must be greater than {}",
        "exclusiveMaximum": "must be less than {}",
    }
    if kind in limits:
        return f"{limits[kind].format(value)} (got {_short(instance)})"
    if kind == "minItems":
        return f"needs at least {value} entr{'y' if value == 1 else 'ies'} (has {len(instance)})"
    if kind == "maxItems":
        return f"allows at most {value} entries (has {len(instance)})"
    if kind in ("minLength", "minProperties"):
        return "must not be empty"
    if kind == "maxLength":
        return f"must be at most {value} characters long"
    if kind == "uniqueItems":
        return "contains the same entry twice"
    return fallback


def _item_type(doc: Any, path: Sequence[str | int]) -> str:
    node = doc
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return "?"
    return str(node.get("type", "?")) if isinstance(node, dict) else "?"


def _unknown_keys(instance: Any, schema: dict[str, Any]) -> list[str]:
    if not isinstance(instance, dict):
        return []
    known = set(schema.get("properties", {}))
    prefixes = [p.lstrip("^") for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(str(k).startswith(p) for p in prefixes)]


def _json_type(value: Any) -> str:
    for name, kinds in (("true/false", bool), ("a number", (int, float)), ("a string", str)):
        if isinstance(value, kinds):
            return name
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dedupe(errors: Iterable[FieldError]) -> list[FieldError]:
    return list(dict.fromkeys(errors))
