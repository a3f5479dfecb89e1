"""The translation catalogues: complete, compiled, placeholder-safe, in step with the templates; the locale is used."""

from __future__ import annotations

import re
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "lti_tool" / "translations"
LANGUAGES = [code for code in SUPPORTED_LOCALES if code != "en"]  # English is the msgid itself
# A Python %-conversion: %(name)s, %(num)d, %%, or a stray % that would break `string % values`.
PLACEHOLDER = re.compile(r"%\(([^)]+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def forms(message: Message) -> list[str]:
    """The msgstr, or each msgstr[n] of a plural entry."""
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def fill(text: str) -> str:
    """Format as Jinja's newstyle gettext does (always `text % values`): raises on a broken conversion."""
    return text % {name: 1 for name in names(text)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_supported_language_has_a_complete_catalogue(lang: str) -> None:
    catalog = load(po_path(lang), lang)
    assert not catalog.fuzzy, f"{lang}: the catalogue header is marked fuzzy, so it would not compile"
    empty = [m.id for m in entries(catalog) if not all(f.strip() for f in forms(m))]
    fuzzy = [m.id for m in entries(catalog) if m.fuzzy]
    assert not empty, f"{lang}: untranslated: {empty}"
    assert not fuzzy, f"{lang}: fuzzy (guessed by `pybabel update`, check them): {fuzzy}"
    template = {m.id for m in entries(load(TRANSLATIONS / "messages.pot"))}
    assert template <= {m.id for m in entries(catalog)}, f"{lang}: run scripts/i18n.sh update"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(lang: str) -> None:
    catalog = load(po_path(lang), lang)
    for message in entries(catalog):
        wanted = names(sources(message)[-1])  # the plural msgid for every plural form
        for text in forms(message):
            assert names(text) == wanted, f"{lang}: {message.id!r} -> {text!r}"
            fill(text)  # no stray %, which would crash the page in this language only
        for source in sources(message):
            fill(source)
    assert not [error for *_, errors in catalog.check() for error in errors]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_compiles_and_the_installed_mo_is_current(lang: str) -> None:
    catalog = load(po_path(lang), lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = GNUTranslations(compiled)
    compiled_path = po_path(lang).with_suffix(".mo")
    assert compiled_path.is_file(), f"{lang}: run `make install` (or scripts/i18n.sh compile)"
    with compiled_path.open("rb") as handle:
        installed = GNUTranslations(handle)
    for message in entries(catalog):
        if isinstance(message.id, tuple | list):
            for n in (1, 2, 5):
                assert installed.ngettext(*message.id, n) == fresh.ngettext(*message.id, n), message.id
        else:
            assert installed.gettext(message.id) == fresh.gettext(message.id) == message.string, message.id


def test_the_template_holds_every_string_the_code_marks_for_translation() -> None:
    with (PROJECT_ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=keywords,
        directory_filter=lambda path: Path(path).relative_to(PROJECT_ROOT).parts[:1] in {("lti_tool",), ()})}
    template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries(load(TRANSLATIONS / "messages.pot"))}
    assert found, "the extraction found nothing: babel.cfg or the layout changed"
    assert found <= template, f"not in messages.pot, run scripts/i18n.sh: {sorted(map(str, found - template))}"


@pytest.mark.parametrize(("header", "lang", "expected"), [
    ("it-IT,it;q=0.9,en;q=0.5", "it", "Codice di errore:"),
    ("fi", "fi", "Virhekoodi:"),
    ("bg-BG", "bg", "Код на грешката:"),
    ("de-DE,de;q=0.9", "en", "Error code:"),  # not a pilot language: English
])
def test_pages_outside_a_launch_follow_accept_language(client: FlaskClient, header: str, lang: str,
                                                       expected: str) -> None:
    page = client.get("/units/anything", headers={"Accept-Language": header, "Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 401
    assert expected in html
    assert f'<html lang="{lang}">' in html
