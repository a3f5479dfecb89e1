"""Every text of a unit that a learner or a credential shows, and which languages are complete.

Pure module. A text is a string (English) or a map of language code to string. The walk below is the one
definition of "learner-visible": completeness reports, translation overlays and the page fallback all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = [
    "PILOT_LANGUAGES", "Text", "complete_languages", "completeness", "content_language", "learner_texts", "localized",
    "pick_language",
]

# The MASTERY pilot languages (Italy, Spain, Finland, Bulgaria, Belgium) and English.
PILOT_LANGUAGES = ("en", "it", "es", "fi", "bg", "fr", "nl")

# A text field of a unit file: a string (English) or a map of language code -> string.
Text = str | Mapping[str, str]

_TOP_TEXTS = ("title", "summary", "assessment_type", "quality_assurance", "prerequisites")


def learner_texts(doc: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield (field path, text) for every learner- or credential-visible text of a unit document."""
    for name in _TOP_TEXTS:
        if name in doc:
            yield name, doc[name]
    for s, section in _entries(doc.get("sections")):
        path = f"sections[{s}]"
        yield from _fields(path, section, ("title", "body"))
        for f, figure in _entries(section.get("figures")):
            fpath = f"{path}.figures[{f}]"
            yield from _fields(fpath, figure, ("alt", "caption"))
            labels = figure.get("labels")
            if isinstance(labels, dict):
                for key, text in labels.items():
                    yield f"{fpath}.labels.{key}", text
    for r, reference in _entries(doc.get("references")):
        # A reference keeps the title its publisher gave it; what to read in it is ours to translate.
        yield from _fields(f"references[{r}]", reference, ("read",))
    for o, outcome in _entries(doc.get("outcomes")):
        path = f"outcomes[{o}]"
        yield from _fields(path, outcome, ("title",))
        for i, item in _entries(outcome.get("items")):
            ipath = f"{path}.items[{i}]"
            yield from _fields(ipath, item, ("prompt", "unit", "feedback"))
            for kind in ("options", "targets"):
                for c, choice in _entries(item.get(kind)):
                    yield from _fields(f"{ipath}.{kind}[{c}]", choice, ("text",))
            for c, criterion in _entries(item.get("rubric")):
                cpath = f"{ipath}.rubric[{c}]"
                yield from _fields(cpath, criterion, ("text",))
                for lv, level in _entries(criterion.get("levels")):
                    yield from _fields(f"{cpath}.levels[{lv}]", level, ("text",))


def has_language(text: Any, lang: str) -> bool:
    """Is this text given in ``lang``? A plain string is English."""
    if isinstance(text, str):
        return lang == "en" and bool(text)
    return isinstance(text, Mapping) and bool(text.get(lang))


def completeness(doc: Mapping[str, Any], languages: tuple[str, ...] = PILOT_LANGUAGES) -> dict[str, tuple[int, int]]:
    """For each language: (texts given, texts in the unit). Languages the unit mentions anywhere are added."""
    texts = [text for _path, text in learner_texts(doc)]
    seen = list(languages)
    for text in texts:
        if isinstance(text, Mapping):
            seen += [lang for lang in text if lang not in seen]
    return {lang: (sum(has_language(text, lang) for text in texts), len(texts)) for lang in seen}


def missing_texts(doc: Mapping[str, Any], lang: str) -> list[str]:
    """The field paths of the learner-visible texts not given in ``lang``."""
    return [path for path, text in learner_texts(doc) if not has_language(text, lang)]


def complete_languages(doc: Mapping[str, Any]) -> list[str]:
    """The languages a unit is offered in: English plus every language declared under ``translations``.

    ``content check`` refuses a unit that declares a language it does not give completely, so a declared
    language is a complete one. Older units without ``translations`` declare theirs in ``languages``.
    """
    declared = doc.get("translations")
    if isinstance(declared, Mapping):
        return ["en", *(str(lang) for lang in declared if lang != "en")]
    listed = doc.get("languages")
    return [str(lang) for lang in listed] if isinstance(listed, list) and listed else ["en"]


def content_language(doc: Mapping[str, Any], wanted: str) -> str:
    """The language to show a unit file's texts in (the loader and checks; the rest reads ``UnitDoc``)."""
    return pick_language(complete_languages(doc), wanted)


def pick_language(offered: Iterable[str], wanted: str | None) -> str:
    """Of the languages a unit is complete in, the one for ``wanted`` (its tag, then its base language), else
    English."""
    tag = (wanted or "en").replace("_", "-").lower()
    languages = [lang.lower() for lang in offered]
    for candidate in (tag, tag.split("-", 1)[0]):
        if candidate in languages:
            return candidate
    return "en"


def _fields(path: str, entry: Mapping[str, Any], names: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for name in names:
        if name in entry:
            yield f"{path}.{name}", entry[name]


def _entries(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                yield index, entry


def localized(text: Text, lang: str) -> str:
    """Pick the text for a language tag: exact tag, then its base language, then English."""
    if isinstance(text, str):
        return text
    if not text:
        return ""
    wanted = lang.replace("_", "-").strip().lower()
    by_tag = {key.lower(): value for key, value in text.items()}
    base = wanted.split("-", 1)[0]
    for candidate in (wanted, base):
        if candidate in by_tag:
            return by_tag[candidate]
    for key, value in by_tag.items():
        # A region variant (pt-BR) still serves a reader who asked for the bare language (pt).
        if base and key.split("-", 1)[0] == base:
            return value
    if "en" in by_tag:
        return by_tag["en"]
    return next(iter(text.values()))
