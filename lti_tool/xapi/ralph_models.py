"""Ralph's xAPI statement model as one validator that refuses exactly what the model refuses, at ~⅓ of its CPU.

Adapter over `ralph-malph` 5.1 (`BaseXapiStatement`) and pydantic-core 2: the outbox worker validates every
statement before it is sent, on the same machine as the LRS, so the model's cost slows delivery (docs/scaling.md,
"xAPI outbox, session 6"). The validator is built from the model's own core schema with four rewrites, each one
keeping every verdict (tests/unit/xapi/test_ralph_models.py compares both on valid and invalid statements):

1. Each model class in the schema is swapped for a subclass that pydantic has not built. pydantic-core reuses a
   complete model class's own prebuilt validator wherever its schema names the class, which would skip the
   rewrites below in every nested model. Validation still makes (subclass) instances, so the models'
   `mode="after"` validators (score min ≤ raw ≤ max, unique interaction ids) run on the same fields.
2. Unions are tried left to right, first success wins, instead of "smart" mode, which validates every member to
   pick the best fit: a smart union succeeds exactly when some member does, and nothing reads which member
   was picked (the instance is thrown away). The actor alone is tried against nine agent and group models.
3. A pattern given as a compiled `re` pattern (Ralph's RFC 3987 IRI grammar, ~5 kB; pydantic-core runs it
   with Python's `re`, ~2-4 µs per IRI, 15-19 IRIs per statement) is matched once per distinct string.
4. Values that a statement repeats (IRIs, language tags: validated from a string alone, with no context) are
   validated once per distinct string; a failure is never remembered, so it is raised again in full.
5. The statement's `mode="before"` check (no empty value outside extensions; platform and revision only with
   an Activity object) first runs a plain loop that only answers "certainly passes"; anything else, including
   every statement the check would refuse, goes to Ralph's own function, which raises its own error.

Inputs are what `json.loads` gives (dicts, lists, str, numbers, bool, None): an instance of one of Ralph's
classes would not be recognised as one (the swapped classes), so pass plain data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict
from pydantic_core import PydanticKnownError, SchemaValidator, core_schema

_MEMO_SIZE = 8192  # distinct IRIs and tags kept: a catalogue's activity ids, verbs, extensions, platforms


def statement_model() -> Any:
    """Ralph's BaseXapiStatement (imported on first use: `ralph.models.xapi` loads every profile, ~0.7 s)."""
    return _ralph()[0]


@functools.cache
def statement_validator() -> SchemaValidator:
    """The faster validator of BaseXapiStatement (see the module docstring); raises pydantic's ValidationError."""
    model, iri, language_tag = _ralph()
    return SchemaValidator(_rewrite(model.__pydantic_core_schema__, memoised=(iri, language_tag),
                                    empty_check=model.check_absence_of_empty_and_invalid_values))


@functools.cache
def _ralph() -> tuple[Any, type, type]:
    from ralph.models.xapi.base import common
    from ralph.models.xapi.base.statements import BaseXapiStatement

    # Speed, not behaviour: Ralph re-parses every IRI with rfc3987 and every language tag with langcodes in
    # its `mode="before"` validators; both are pure functions looked up as module globals at call time, so a
    # memo is exact (invalid input still raises: exceptions are never cached).
    if not hasattr(common.parse, "cache_info"):
        common.parse = functools.lru_cache(maxsize=_MEMO_SIZE)(common.parse)
        common.tag_is_valid = functools.lru_cache(maxsize=1024)(common.tag_is_valid)
    return BaseXapiStatement, common.IRI, common.LanguageTag


def _rewrite(schema: Any, *, memoised: tuple[type, ...], empty_check: Callable[[Any], Any]) -> Any:
    """A copy of a core schema with the rewrites of the module docstring (the model's own schema is untouched)."""
    unbuilt: dict[type, type] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: walk(value) for key, value in node.items()}
        kind = node.get("type")
        if kind == "model":
            cls = node["cls"]
            if cls not in unbuilt:
                unbuilt[cls] = type(cls.__name__, (cls,), {"model_config": ConfigDict(defer_build=True),
                                                           "__module__": __name__})
            node["cls"] = unbuilt[cls]
            if cls in memoised and "ref" in node:
                ref = node.pop("ref")
                return core_schema.no_info_wrap_validator_function(_memo(), node, ref=ref)
        elif kind == "union":
            node["mode"] = "left_to_right"
        elif kind == "str" and isinstance(node.get("pattern"), re.Pattern):
            return core_schema.no_info_after_validator_function(_matcher(node.pop("pattern")), node)
        elif kind == "function-before" and _same_function(node["function"].get("function"), empty_check):
            node["function"] = {**node["function"], "function": _quick_check(empty_check)}
        return node

    return walk(schema)


def _same_function(found: Any, wanted: Any) -> bool:
    return getattr(found, "__func__", found) is getattr(wanted, "__func__", wanted)


def _memo() -> Callable[[Any, Any], Any]:
    """A wrap validator remembering the result for each string input that validated (never a failure)."""
    results: dict[str, Any] = {}

    def validate(value: Any, handler: Any) -> Any:
        if type(value) is not str:
            return handler(value)
        found = results.get(value)
        if found is None:
            found = handler(value)  # raises for an invalid value: nothing is remembered
            if len(results) >= _MEMO_SIZE:
                results.clear()
            results[value] = found
        return found

    return validate


def _matcher(pattern: re.Pattern[str]) -> Callable[[str], str]:
    """pydantic-core's pattern check (`search`, error `string_pattern_mismatch`), matched once per string."""
    @functools.lru_cache(maxsize=_MEMO_SIZE)
    def matches(value: str) -> bool:
        return pattern.search(value) is not None

    def check(value: str) -> str:
        if not matches(value):
            raise PydanticKnownError("string_pattern_mismatch", {"pattern": pattern.pattern})
        return value

    return check


def _quick_check(ralph_check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Ralph's statement check, with a fast answer for the statements it certainly lets through."""
    def check(values: Any) -> Any:
        return values if _certainly_passes(values) else ralph_check(values)

    return check


def _certainly_passes(values: Any) -> bool:
    """True only when Ralph's check would pass `values` unchanged; False when in any doubt.

    Ralph walks the dicts (not lists, not `extensions`) and refuses a value equal to None, "" or {}; then, when
    there is a context, it refuses `platform` or `revision` unless the object is an Activity.
    """
    if type(values) is not dict:
        return False
    stack = [values]
    while stack:
        for field, value in stack.pop().items():
            kind = type(value)
            if kind is dict:
                if not value:
                    return False
                if field != "extensions":
                    stack.append(value)
            elif kind is str:
                if not value:
                    return False
            elif value is None or kind not in (int, float, bool, list):  # anything unusual: Ralph decides
                return False
    if "context" not in values:
        return True
    context, thing = values["context"], values.get("object")
    if type(context) is not dict or type(thing) is not dict:  # Ralph's dict() of them may raise anything
        return False
    return not (context.get("platform") or context.get("revision")) or thing.get("objectType", "Activity") == "Activity"
