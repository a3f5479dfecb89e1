"""The files stored with a unit: translation files merged into its texts, and its SVG figures.

Pure module. Layout next to the unit files (docs/authoring.md):

    content/units/<slug>.yaml                        the unit (English, and any language inline)
    content/units/translations/<slug>.<lang>.yaml    one language's texts, keyed by the unit's ids
    content/units/figures/<slug>/<name>.svg          figures a section names in ``figures[].file``

Both are read when the unit file is read, so the loaded document (and its content hash) carries them:
a changed translation or figure is a changed unit and needs a new version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - parses our own repository files; see _svg_problems

import yaml

from lti_tool.catalogue.field_errors import FieldError

__all__ = ["FIGURE_FILES_KEY", "attach_figures", "merge_translations", "svg_problems"]

# The loaded document keeps each figure's SVG text here ("x-" keys are free extensions of the format).
FIGURE_FILES_KEY = "x-figure-files"
MAX_SVG_BYTES = 200_000
_LANG_FILE = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.yaml$")
_LABEL = re.compile(r"\{\{\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\}\}")


# --- translation files ----------------------------------------------------------------------------


def translation_files(unit_file: Path, slug: str) -> dict[str, Path]:
    """language → translation file of one unit (content/units/translations/<slug>.<lang>.yaml)."""
    folder = unit_file.parent / "translations"
    found: dict[str, Path] = {}
    if folder.is_dir():
        for path in sorted(folder.glob(f"{slug}.*.yaml")):
            match = _LANG_FILE.match(path.name)
            if match and match["slug"] == slug:
                found[match["lang"]] = path
    return found


def merge_translations(doc: dict[str, Any], unit_file: Path, load: Any) -> list[FieldError]:
    """Merge every translation file of the unit into its texts (in place); return the problems found.

    ``load`` reads one YAML file (the unit loader, so duplicate keys are refused there too).
    """
    slug = doc.get("slug")
    if not isinstance(slug, str):
        return []
    errors: list[FieldError] = []
    files = translation_files(unit_file, slug)
    if files:
        # YAML anchors (&options / *options) share one mapping between items; a translation of one item
        # must not change the other, so every mapping and list gets its own copy first.
        doc.update(_unshared(doc))
    for lang, path in files.items():
        where = f"translations/{path.name}"
        if lang == "en":
            errors.append(FieldError(where, "English is the unit file itself; remove this file"))
            continue
        try:
            overlay = load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            errors.append(FieldError(where, f"cannot read the translation file: {exc}"))
            continue
        if not isinstance(overlay, dict):
            errors.append(FieldError(where, "must be a mapping of the unit's fields"))
            continue
        errors += [FieldError(f"{where}: {field}", message) for field, message in _merge(doc, overlay, lang)]
    return errors


def _unshared(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _unshared(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_unshared(entry) for entry in value]
    return value


def _merge(doc: dict[str, Any], overlay: dict[str, Any], lang: str) -> Iterator[tuple[str, str]]:
    for key, value in overlay.items():
        if key in ("title", "summary", "assessment_type", "quality_assurance", "prerequisites"):
            yield from _set(doc, key, value, lang, key)
        elif key == "sections":
            yield from _by_id(doc.get("sections"), value, key, lambda s, v, p: _section(s, v, lang, p))
        elif key == "references":
            yield from _by_id(doc.get("references"), value, key, lambda r, v, p: _texts(r, v, lang, p, ("read",)))
        elif key == "outcomes":
            yield from _by_id(doc.get("outcomes"), value, key, lambda o, v, p: _outcome(o, v, lang, p))
        else:
            yield key, "is not a translatable field of a unit"


def _section(section: dict[str, Any], value: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping"
        return
    yield from _texts(section, {k: v for k, v in value.items() if k != "figures"}, lang, path, ("title", "body"))
    if "figures" in value:
        yield from _by_id(section.get("figures"), value["figures"], f"{path}.figures",
                          lambda f, v, p: _figure(f, v, lang, p))


def _figure(figure: dict[str, Any], value: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping"
        return
    yield from _texts(figure, {k: v for k, v in value.items() if k != "labels"}, lang, path, ("alt", "caption"))
    labels, given = figure.get("labels"), value.get("labels")
    if given is None:
        return
    if not isinstance(given, dict) or not isinstance(labels, dict):
        yield f"{path}.labels", "must be a mapping of the figure's label keys"
        return
    for key, text in given.items():
        if key not in labels:
            yield f"{path}.labels.{key}", "is not a label of this figure"
        else:
            yield from _set(labels, key, text, lang, f"{path}.labels.{key}")


def _outcome(outcome: dict[str, Any], value: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping"
        return
    yield from _texts(outcome, {k: v for k, v in value.items() if k != "items"}, lang, path, ("title",))
    if "items" in value:
        yield from _by_id(outcome.get("items"), value["items"], f"{path}.items", lambda i, v, p: _item(i, v, lang, p))


def _item(item: dict[str, Any], value: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping"
        return
    nested = ("options", "targets", "rubric")
    yield from _texts(item, {k: v for k, v in value.items() if k not in nested}, lang, path,
                      ("prompt", "unit", "feedback"))
    for kind in ("options", "targets"):
        if kind in value:
            yield from _by_id(item.get(kind), value[kind], f"{path}.{kind}",
                              lambda c, v, p: _set(c, "text", v, lang, p))
    if "rubric" in value:
        yield from _by_id(item.get("rubric"), value["rubric"], f"{path}.rubric",
                          lambda c, v, p: _criterion(c, v, lang, p))


def _criterion(criterion: dict[str, Any], value: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping with text (and levels)"
        return
    yield from _texts(criterion, {k: v for k, v in value.items() if k != "levels"}, lang, path, ("text",))
    if "levels" not in value:
        return
    levels, given = criterion.get("levels"), value["levels"]
    if not isinstance(levels, list) or not isinstance(given, list) or len(given) != len(levels):
        yield f"{path}.levels", "must list one text per level of the criterion, in the same order"
        return
    for index, (level, text) in enumerate(zip(levels, given, strict=True)):
        if isinstance(level, dict):
            yield from _set(level, "text", text, lang, f"{path}.levels[{index}]")


def _texts(entry: dict[str, Any], value: Any, lang: str, path: str, names: tuple[str, ...]
           ) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping"
        return
    for key, text in value.items():
        if key not in names:
            yield f"{path}.{key}", f"is not translatable here (expected {', '.join(names)})"
        else:
            yield from _set(entry, key, text, lang, f"{path}.{key}")


def _set(entry: dict[str, Any], key: str, text: Any, lang: str, path: str) -> Iterator[tuple[str, str]]:
    if key not in entry:
        yield path, "the unit has no such text to translate"
        return
    if not isinstance(text, str) or not text.strip():
        yield path, "must be a non-empty string"
        return
    current = entry[key]
    if isinstance(current, str):
        current = {"en": current}
    if not isinstance(current, dict):
        return  # the schema reports the unit's own problem
    if lang in current:
        yield path, f"is given in {lang!r} both in the unit file and in the translation file; keep one"
        return
    entry[key] = {**current, lang: text}


def _by_id(entries: Any, value: Any, path: str, merge: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, "must be a mapping of ids"
        return
    by_id = {e["id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)} \
        if isinstance(entries, list) else {}
    for entry_id, entry_value in value.items():
        if entry_id not in by_id:
            yield f"{path}.{entry_id}", "names no id of the unit"
        else:
            yield from merge(by_id[entry_id], entry_value, f"{path}.{entry_id}")


# --- figures --------------------------------------------------------------------------------------


def attach_figures(doc: dict[str, Any], unit_file: Path) -> list[FieldError]:
    """Read every figure a section names into ``doc[FIGURE_FILES_KEY]`` (file name → SVG text)."""
    slug = doc.get("slug")
    folder = unit_file.parent / "figures" / str(slug)
    files: dict[str, str] = {}
    errors: list[FieldError] = []
    for path, figure in figure_entries(doc):
        name = figure.get("file")
        if not isinstance(name, str) or name in files:
            continue
        file = folder / name
        where = f"{path}.file"
        try:
            data = file.read_bytes()
        except OSError:
            errors.append(FieldError(where, f"figures/{slug}/{name} does not exist next to the unit file"))
            continue
        if len(data) > MAX_SVG_BYTES:
            errors.append(FieldError(where, f"{name} is larger than {MAX_SVG_BYTES // 1000} kB"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(FieldError(where, f"{name} is not UTF-8 text"))
            continue
        problems = svg_problems(text)
        errors += [FieldError(where, f"{name}: {problem}") for problem in problems]
        labels = figure.get("labels")
        if not isinstance(labels, dict):
            labels = {}
        for key in sorted(set(_LABEL.findall(text)) - set(labels)):
            errors.append(FieldError(f"{path}.labels", f"{name} uses {{{{{key}}}}} but the figure has no such label"))
        if not problems:
            files[name] = text
    if files:
        doc[FIGURE_FILES_KEY] = files
    return errors


def figure_entries(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field path, figure) for every figure of every section."""
    sections = doc.get("sections")
    for s, section in enumerate(sections if isinstance(sections, list) else []):
        figures = section.get("figures") if isinstance(section, dict) else None
        for f, figure in enumerate(figures if isinstance(figures, list) else []):
            if isinstance(figure, dict):
                yield f"sections[{s}].figures[{f}]", figure


_ALLOWED_SVG = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "marker", "linearGradient", "radialGradient", "stop", "use", "symbol", "clipPath", "pattern",
}
_SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_problems(text: str) -> list[str]:
    """Why an SVG is not a plain drawing: scripts, event handlers, foreign content, outside references.

    Figures are shown through <img> (which never runs scripts nor fetches anything); this check keeps the
    files themselves harmless wherever else they are opened, and keeps them to what a drawing needs.
    """
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return ["must not contain a DOCTYPE or entities"]
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE/entities (checked above), our own files
    except ET.ParseError as exc:
        return [f"is not well-formed XML ({exc})"]
    problems: list[str] = []
    if root.tag != f"{_SVG_NS}svg":
        problems.append("the root element must be <svg xmlns=\"http://www.w3.org/2000/svg\">")
    if "viewBox" not in root.attrib:
        problems.append("the <svg> element needs a viewBox so the figure scales to the page")
    for element in root.iter():
        tag = element.tag.removeprefix(_SVG_NS) if isinstance(element.tag, str) else "?"
        if tag not in _ALLOWED_SVG:
            problems.append(f"element <{tag}> is not allowed in a figure")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                problems.append(f"event attribute {local!r} is not allowed")
            if local == "href" and not value.startswith("#"):
                problems.append(f"<{tag}> refers to {value!r}; only references inside the file (#id) are allowed")
            if "url(" in value and not re.fullmatch(r"url\(#[A-Za-z0-9_.-]+\)", value.strip()):
                problems.append(f"{local}={value!r} refers outside the file")
    return list(dict.fromkeys(problems))
