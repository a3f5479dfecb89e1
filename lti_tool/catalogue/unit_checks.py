"""Consistency rules of a unit that JSON Schema cannot express: id references, uniqueness, cross-field limits.

Every function here tolerates a malformed document (the schema reports shape problems), so one run
reports all problems of a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lti_tool.catalogue.field_errors import FieldError, is_number
from lti_tool.catalogue.unit_texts import missing_texts

__all__ = ["semantic_errors"]


def semantic_errors(doc: dict[str, Any], *, expected_slug: str | None = None) -> list[FieldError]:
    """Return every cross-reference and uniqueness problem of a unit document."""
    errors: list[FieldError] = []
    slug = doc.get("slug")
    if expected_slug is not None and isinstance(slug, str) and slug != expected_slug:
        errors.append(FieldError("slug", f"must equal the file name {expected_slug!r} (found {slug!r})"))
    errors += _duplicate_ids(_entries(doc.get("sections"), "sections"))
    outcomes = _entries(doc.get("outcomes"), "outcomes")
    errors += _duplicate_ids(outcomes)
    unit_esco = {uri for uri in _list(doc.get("esco")) if isinstance(uri, str)}
    all_items: list[tuple[str, dict[str, Any]]] = []
    for path, outcome in outcomes:
        errors += _outcome_esco(path, outcome, unit_esco)
        items = _entries(outcome.get("items"), f"{path}.items")
        all_items += items
        for item_path, item in items:
            errors += _item_errors(item_path, item)
    # Item ids are unique in the whole unit: the learner API addresses responses by item id alone.
    errors += _duplicate_ids(all_items)
    errors += _policy_errors(doc, outcomes)
    errors += _workload_errors(doc)
    errors += _section_errors(doc, {o.get("id") for _p, o in outcomes})
    errors += _duplicate_ids(_entries(doc.get("references"), "references"))
    errors += _language_errors(doc)
    return errors


_WORKLOAD_PARTS = ("study", "exercises", "practical", "assessment")


def _workload_errors(doc: dict[str, Any]) -> Iterator[FieldError]:
    workload, hours = doc.get("workload"), doc.get("workload_hours")
    if not isinstance(workload, dict) or not is_number(hours):
        return
    parts = [part for part in (workload.get(name) for name in _WORKLOAD_PARTS) if is_number(part)]
    if len(parts) == len(_WORKLOAD_PARTS) and abs(sum(parts) - hours) > 0.01:
        shown = " + ".join(f"{part} {workload[part]:g}" for part in _WORKLOAD_PARTS)
        yield FieldError("workload", f"{shown} = {sum(parts):g} h, but workload_hours is {hours:g}")


def _section_errors(doc: dict[str, Any], outcome_ids: set[Any]) -> Iterator[FieldError]:
    figures: list[tuple[str, dict[str, Any]]] = []
    for path, section in _entries(doc.get("sections"), "sections"):
        for index, outcome_id in enumerate(_list(section.get("outcomes"))):
            if isinstance(outcome_id, str) and outcome_id not in outcome_ids:
                yield FieldError(f"{path}.outcomes[{index}]", f"{outcome_id!r} is not the id of an outcome")
        if section.get("kind", "study") != "activity" and "minutes" in section:
            yield FieldError(f"{path}.minutes", "is only used by sections of kind 'activity'")
        figures += _entries(section.get("figures"), f"{path}.figures")
    yield from _duplicate_ids(figures)


def _language_errors(doc: dict[str, Any]) -> Iterator[FieldError]:
    declared = doc.get("translations")
    listed = doc.get("languages")
    if isinstance(declared, dict) and isinstance(listed, list):
        expected = {"en", *declared}
        if set(listed) != expected:
            yield FieldError("languages", f"must list en and the languages under translations "
                                          f"({', '.join(sorted(expected))}); found {', '.join(map(str, listed))}")
    offered = ["en", *declared] if isinstance(declared, dict) else _list(listed) or ["en"]
    for lang in dict.fromkeys(str(code) for code in offered):
        missing = missing_texts(doc, lang)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            where = f"translations.{lang}" if isinstance(declared, dict) and lang in declared else "languages"
            yield FieldError(where, f"the unit is offered in {lang!r} but {len(missing)} text(s) are not "
                                    f"given in it: {shown}")


def _outcome_esco(path: str, outcome: dict[str, Any], unit_esco: set[str]) -> Iterator[FieldError]:
    if not unit_esco:
        return
    for index, uri in enumerate(_list(outcome.get("esco"))):
        if isinstance(uri, str) and uri not in unit_esco:
            yield FieldError(f"{path}.esco[{index}]", f"{uri} is not listed in the unit's esco list")


def _item_errors(path: str, item: dict[str, Any]) -> list[FieldError]:
    options = _entries(item.get("options"), f"{path}.options")
    targets = _entries(item.get("targets"), f"{path}.targets")
    errors = _duplicate_ids(options + targets)
    errors += _duplicate_ids(_entries(item.get("rubric"), f"{path}.rubric"))
    if "answer" not in item or not isinstance(item.get("options"), list):
        return errors
    option_ids = _ids(options)
    answer, where = item["answer"], f"{path}.answer"
    kind = item.get("type")
    if kind == "single_choice" and isinstance(answer, str) and answer not in option_ids:
        errors.append(FieldError(where, _not_an_option(answer, option_ids)))
    elif kind == "multiple_response" and isinstance(answer, list):
        for index, choice in enumerate(answer):
            if isinstance(choice, str) and choice not in option_ids:
                errors.append(FieldError(f"{where}[{index}]", _not_an_option(choice, option_ids)))
    elif kind == "ordering" and isinstance(answer, list):
        errors += _ordering_errors(where, answer, option_ids)
    elif kind == "matching" and isinstance(answer, dict) and isinstance(item.get("targets"), list):
        errors += _matching_errors(where, answer, option_ids, _ids(targets))
    return errors


def _ordering_errors(where: str, answer: list[Any], option_ids: list[str]) -> Iterator[FieldError]:
    given = [choice for choice in answer if isinstance(choice, str)]
    unknown = [choice for choice in given if choice not in option_ids]
    repeated = sorted({choice for choice in given if given.count(choice) > 1})
    missing = [option for option in option_ids if option not in given]
    problems = []
    if unknown:
        problems.append(f"unknown option ids {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated {', '.join(repeated)}")
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if problems:
        yield FieldError(where, "must list every option id exactly once (a permutation): " + "; ".join(problems))


def _matching_errors(
    where: str, answer: dict[str, Any], left_ids: list[str], right_ids: list[str]
) -> Iterator[FieldError]:
    for left, right in answer.items():
        if left not in left_ids:
            yield FieldError(f"{where}.{left}", f"is not one of the option ids ({', '.join(left_ids)})")
        if isinstance(right, str) and right not in right_ids:
            yield FieldError(f"{where}.{left}", f"{right!r} is not one of the target ids ({', '.join(right_ids)})")
    unmatched = [left for left in left_ids if left not in answer]
    if unmatched:
        yield FieldError(where, f"gives no target for option(s) {', '.join(unmatched)}")


def _policy_errors(doc: dict[str, Any], outcomes: list[tuple[str, dict[str, Any]]]) -> Iterator[FieldError]:
    policy = doc.get("policy")
    per_outcome = policy.get("items_per_outcome") if isinstance(policy, dict) else None
    if not isinstance(per_outcome, int) or isinstance(per_outcome, bool):
        return
    for path, outcome in outcomes:
        count = len(_list(outcome.get("items")))
        if count and per_outcome > count:
            yield FieldError(
                "policy.items_per_outcome",
                f"asks for {per_outcome} items but {path} ({outcome.get('id')}) has only {count}",
            )


def _duplicate_ids(entries: list[tuple[str, dict[str, Any]]]) -> list[FieldError]:
    first: dict[str, str] = {}
    errors: list[FieldError] = []
    for path, entry in entries:
        entry_id = entry.get("id")
        if not isinstance(entry_id, str):
            continue
        if entry_id in first:
            errors.append(FieldError(f"{path}.id", f"duplicate id {entry_id!r} (already used at {first[entry_id]})"))
        else:
            first[entry_id] = path
    return errors


def _not_an_option(choice: str, option_ids: list[str]) -> str:
    return f"{choice!r} is not one of the option ids ({', '.join(option_ids)})"


def _entries(value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path}[{i}]", entry) for i, entry in enumerate(_list(value)) if isinstance(entry, dict)]


def _ids(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [entry["id"] for _path, entry in entries if isinstance(entry.get("id"), str)]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
