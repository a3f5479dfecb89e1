"""The teaching-quality rules of a unit (issue 15) and the answer-leak rule (issue 11 item 9).

Pure module. ``content check`` prints these as warnings and ``content check --strict`` fails on them; a
unit that meets them all carries its stated workload in substance. The hard consistency rules of the new
fields (workload sums, declared languages complete, worked examples naming real outcomes) are errors in
unit_checks.py, because the tool relies on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from lti_tool.catalogue.field_errors import FieldError, is_number
from lti_tool.catalogue.unit_texts import learner_texts

__all__ = [
    "HOURS_PER_ECTS",
    "MIN_ITEMS_PER_OUTCOME",
    "MIN_STUDY_WORDS",
    "answer_leaks",
    "quality_warnings",
    "study_words",
]

HOURS_PER_ECTS = (25, 30)  # ECTS Users' Guide 2015: one credit is 25 to 30 hours of work
MIN_ITEMS_PER_OUTCOME = 6
MIN_STUDY_WORDS = 2000
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def quality_warnings(doc: Mapping[str, Any]) -> list[FieldError]:
    """Every place where a unit falls short of the authoring rules of docs/authoring.md."""
    warnings = list(_workload(doc))
    warnings += _study_material(doc)
    outcomes = [(f"outcomes[{i}]", o) for i, o in enumerate(_list(doc.get("outcomes"))) if isinstance(o, dict)]
    worked = {oid for s in _sections(doc) if s.get("kind") == "worked_example" for oid in _list(s.get("outcomes"))}
    for path, outcome in outcomes:
        items = [(f"{path}.items[{i}]", it) for i, it in enumerate(_list(outcome.get("items"))) if isinstance(it, dict)]
        if len(items) < MIN_ITEMS_PER_OUTCOME:
            warnings.append(FieldError(f"{path}.items", f"has {len(items)} items; an outcome needs at least "
                                                        f"{MIN_ITEMS_PER_OUTCOME} so attempts differ"))
        for item_path, item in items:
            if not item.get("feedback"):
                warnings.append(FieldError(f"{item_path}.feedback", "is missing: explain the right answer and the "
                                                                   "typical mistake"))
            if item.get("type") == "numeric" and not item.get("unit"):
                warnings.append(FieldError(f"{item_path}.unit", "is missing: a numeric item states its unit"))
            for c, criterion in enumerate(_list(item.get("rubric"))):
                if isinstance(criterion, dict) and not criterion.get("levels"):
                    warnings.append(FieldError(f"{item_path}.rubric[{c}].levels", "are missing: describe what each "
                                               "score looks like so every teacher scores alike"))
        calculable = any(item.get("type") == "numeric" for _p, item in items)
        if calculable and outcome.get("id") not in worked:
            warnings.append(FieldError(path, "has numeric items but no worked_example section names it in "
                                             "'outcomes'"))
    warnings += answer_leaks(doc)
    return warnings


def _workload(doc: Mapping[str, Any]) -> Iterator[FieldError]:
    if not isinstance(doc.get("workload"), dict):
        yield FieldError("workload", "is missing: give the hours of study, exercises, practical and assessment")
    hours, ects = doc.get("workload_hours"), doc.get("ects")
    if is_number(hours) and is_number(ects) and ects > 0:
        low, high = HOURS_PER_ECTS
        per_credit = hours / ects
        if not low <= per_credit <= high:
            yield FieldError("ects", f"{hours:g} h for {ects:g} ECTS is {per_credit:.1f} h per credit; "
                                     f"ECTS counts {low}-{high} h per credit")


def _study_material(doc: Mapping[str, Any]) -> Iterator[FieldError]:
    sections = list(_sections(doc))
    words = study_words(doc)
    if words < MIN_STUDY_WORDS:
        yield FieldError("sections", f"hold {words} words of English study text; a unit needs at least "
                                     f"{MIN_STUDY_WORDS}")
    kinds = {s.get("kind", "study") for s in sections}
    if "case_study" not in kinds:
        yield FieldError("sections", "have no case_study section (a realistic case from the sector)")
    if "activity" not in kinds:
        yield FieldError("sections", "have no activity section (work away from the screen, with minutes)")
    if not any(_list(s.get("figures")) for s in sections):
        yield FieldError("sections", "have no figure")
    if not _list(doc.get("references")):
        yield FieldError("references", "are missing: list open sources and what to read in each")


def study_words(doc: Mapping[str, Any]) -> int:
    """Words of English study text (section bodies; Markdown markup is not counted)."""
    total = 0
    for section in _sections(doc):
        body = section.get("body")
        text = body if isinstance(body, str) else body.get("en", "") if isinstance(body, Mapping) else ""
        total += len(_WORD.findall(re.sub(r"[#*_`>|]", " ", text)))
    return total


def answer_leaks(doc: Mapping[str, Any]) -> list[FieldError]:
    """Short-text answers that appear word for word in another item's prompt (any language) of the unit.

    The pool is drawn from the whole unit, so one item must not give another away (issue 11, item 9).
    """
    prompts: list[tuple[str, str, str]] = []  # (item id, path, prompt text in one language)
    answers: list[tuple[str, str, str]] = []  # (item id, path, accepted answer)
    for path, text in learner_texts(doc):
        if path.endswith(".prompt"):
            item_id = _item_id(doc, path)
            for value in ([text] if isinstance(text, str) else list(text.values()) if isinstance(text, Mapping)
                          else []):
                prompts.append((item_id, path, str(value)))
    for o, outcome in enumerate(_list(doc.get("outcomes"))):
        for i, item in enumerate(_list(outcome.get("items")) if isinstance(outcome, dict) else []):
            if isinstance(item, dict) and item.get("type") == "short_text":
                for a, answer in enumerate(_list(item.get("answer"))):
                    if isinstance(answer, str) and answer.strip():
                        answers.append((str(item.get("id")), f"outcomes[{o}].items[{i}].answer[{a}]", answer.strip()))
    leaks: list[FieldError] = []
    reported: set[str] = set()
    for item_id, path, answer in answers:
        if item_id in reported:
            continue
        pattern = re.compile(rf"(?<![\w]){re.escape(answer)}(?![\w])", re.IGNORECASE)
        for other_id, prompt_path, prompt in prompts:
            if other_id != item_id and pattern.search(prompt):
                leaks.append(FieldError(path, f"{answer!r} appears word for word in the prompt of item "
                                              f"{other_id!r} ({prompt_path}), which gives the answer away"))
                reported.add(item_id)
                break
    return leaks


def _item_id(doc: Mapping[str, Any], path: str) -> str:
    match = re.match(r"outcomes\[(\d+)\]\.items\[(\d+)\]", path)
    if not match:
        return ""
    try:
        return str(doc["outcomes"][int(match[1])]["items"][int(match[2])].get("id"))
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""


def _sections(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for section in _list(doc.get("sections")):
        if isinstance(section, dict):
            yield section


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
