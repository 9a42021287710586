"""Translations: complete catalogues, compiled .mo files in sync, pages in the visitor's language.

The catalogue checks read the .po files with a small parser of their own (no new
dependency) and need no database; only the page checks at the end use the test world.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["nl", "fr"]  # English is the source language: it has no catalogue


# --- A small .po parser ----------------------------------------------------------------

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(token: str, number: int) -> str:
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"line {number}: not a quoted string: {token!r}")

    def unescape(match: re.Match) -> str:
        if match.group(1) not in _ESCAPES:
            raise ValueError(f"line {number}: unknown escape \\{match.group(1)}")
        return _ESCAPES[match.group(1)]

    return re.sub(r"\\(.)", unescape, token[1:-1])


@dataclass(frozen=True)
class PoEntry:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstrs: tuple[str, ...]  # (msgstr,) or (msgstr[0], msgstr[1], ...)
    flags: frozenset[str]
    line: int

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def parse_po(text: str) -> list[PoEntry]:
    """Entries of a .po file, header included; obsolete (``#~``) entries are left out."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current: str | None = None
    start: int | None = None  # the first line of the entry being read

    def has_msgstr() -> bool:
        return any(key.startswith("msgstr") for key in fields)

    def finish() -> None:
        nonlocal fields, flags, current, start
        if fields:
            if "msgid" not in fields or not has_msgstr():
                raise ValueError(f"line {start}: entry without msgid or msgstr")
            plural = fields.get("msgid_plural")
            if plural is None:
                if set(fields) - {"msgctxt", "msgid", "msgstr"}:
                    raise ValueError(f"line {start}: msgstr[n] without msgid_plural")
                msgstrs: tuple[str, ...] = (fields["msgstr"],)
            else:
                count = sum(1 for key in fields if key.startswith("msgstr["))
                if "msgstr" in fields or count == 0:
                    raise ValueError(f"line {start}: a plural entry needs msgstr[n]")
                msgstrs = tuple(fields[f"msgstr[{index}]"] for index in range(count))
            entries.append(
                PoEntry(
                    msgctxt=fields.get("msgctxt"),
                    msgid=fields["msgid"],
                    msgid_plural=plural,
                    msgstrs=msgstrs,
                    flags=frozenset(flags),
                    line=start or 0,
                )
            )
        fields, flags, current, start = {}, set(), None, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if has_msgstr():  # a comment after a msgstr starts the next entry
                finish()
            start = start or number
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword = match.group(1)
            if keyword in ("msgctxt", "msgid") and has_msgstr():
                finish()
            start = start or number
            if keyword in fields:
                raise ValueError(f"line {number}: {keyword} twice in one entry")
            fields[keyword] = _unquote(match.group(3), number)
            current = keyword
            continue
        if line.startswith('"') and current is not None:
            fields[current] += _unquote(line, number)
            continue
        raise ValueError(f"line {number}: cannot parse {raw!r}")
    finish()
    return entries


def test_the_parser_reads_continuations_contexts_plurals_flags_and_escapes():
    text = "\n".join(
        [
            "# comment",
            'msgid ""',
            'msgstr ""',
            '"Language: xx\\n"',
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            "",
            "#: a.py:1",
            "#, fuzzy, python-format",
            'msgctxt "button"',
            'msgid ""',
            '"Say \\"%(what)s\\" "',
            '"twice"',
            'msgstr "Zeg"',
            "#, python-format",
            'msgid "%(counter)s child"',
            'msgid_plural "%(counter)s children"',
            'msgstr[0] "%(counter)s kind"',
            'msgstr[1] ""',
            '"%(counter)s kinderen"',
            "",
            '#~ msgid "gone"',
            '#~ msgstr "weg"',
        ]
    )
    header, button, children = parse_po(text)
    assert header.is_header
    assert header.msgstrs == ("Language: xx\nPlural-Forms: nplurals=2; plural=(n != 1);\n",)
    assert button.msgctxt == "button"
    assert button.msgid == 'Say "%(what)s" twice'
    assert button.msgstrs == ("Zeg",)
    assert button.is_fuzzy
    assert button.line == 7
    assert children.msgid_plural == "%(counter)s children"
    assert children.msgstrs == ("%(counter)s kind", "%(counter)s kinderen")
    assert not children.is_fuzzy


# --- The catalogues --------------------------------------------------------------------


def catalogue_path(language: str, suffix: str = "po") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"django.{suffix}"


def catalogue(language: str) -> tuple[PoEntry, list[PoEntry]]:
    """The header and the messages of a language's .po file."""
    entries = parse_po(catalogue_path(language).read_text(encoding="utf-8"))
    headers = [entry for entry in entries if entry.is_header]
    assert len(headers) == 1, f"{language}: expected one header entry"
    return headers[0], [entry for entry in entries if not entry.is_header]


def header_fields(header: PoEntry) -> dict[str, str]:
    lines = header.msgstrs[0].splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def plural_index(header: PoEntry):
    """The Plural-Forms rule of the catalogue: n → index of the msgstr[index] to use."""
    rule = header_fields(header)["Plural-Forms"]
    match = re.fullmatch(r"nplurals=(\d+);\s*plural=(.+?);?", rule.strip())
    assert match, f"bad Plural-Forms: {rule!r}"
    return int(match.group(1)), stdlib_gettext.c2py(match.group(2))


def sample_numbers(header: PoEntry) -> dict[int, int]:
    """For every plural form, a number n that selects it."""
    nplurals, index_for = plural_index(header)
    numbers: dict[int, int] = {}
    for n in range(1000):
        numbers.setdefault(index_for(n), n)
    assert sorted(numbers) == list(range(nplurals)), "a plural form no number selects"
    return numbers


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_a_proper_header(language):
    header, entries = catalogue(language)
    fields = header_fields(header)
    assert not header.is_fuzzy
    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    sample_numbers(header)
    assert len(entries) >= 100
    keys = [(entry.msgctxt, entry.msgid) for entry in entries]
    assert len(keys) == len(set(keys)), "a msgid twice in one catalogue"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    header, entries = catalogue(language)
    nplurals, _ = plural_index(header)
    problems = []
    for entry in entries:
        if entry.is_fuzzy:
            problems.append(f"{entry.label}: fuzzy")
        if entry.msgid_plural is not None and len(entry.msgstrs) != nplurals:
            problems.append(f"{entry.label}: {len(entry.msgstrs)} forms, not {nplurals}")
        if any(not msgstr.strip() for msgstr in entry.msgstrs):
            problems.append(f"{entry.label}: not translated")
    assert problems == []


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|</?\w+[^>]*>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_html_tags(language):
    _, entries = catalogue(language)
    problems = []
    for entry in entries:
        expected = sorted(_PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for msgstr in entry.msgstrs:
            if sorted(_PLACEHOLDER.findall(msgstr)) != expected:
                problems.append(f"{entry.label}: {msgstr!r}")
    assert problems == []


# --- The compiled catalogues -----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mo_file_holds_exactly_the_po_file(language):
    """Read with Python's own gettext: no message missing, changed or left over."""
    header, entries = catalogue(language)
    with catalogue_path(language, "mo").open("rb") as mo_file:
        compiled = stdlib_gettext.GNUTranslations(mo_file)
    # msgfmt leaves the POT-Creation-Date out of the .mo file (reproducible builds).
    expected: dict[object, str] = {
        "": re.sub(r"^POT-Creation-Date: .*\n", "", header.msgstrs[0], flags=re.MULTILINE)
    }
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstrs[0]
        else:
            expected.update({(key, index): form for index, form in enumerate(entry.msgstrs)})
    # GNUTranslations keeps the compiled messages in ``_catalog``, keyed like msgfmt.
    assert compiled._catalog == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_django_serves_every_translation_of_the_po_file(language):
    header, entries = catalogue(language)
    numbers = sample_numbers(header)
    problems = []
    with translation.override(language):
        for entry in entries:
            if entry.msgid_plural is None:
                got = [
                    translation.gettext(entry.msgid)
                    if entry.msgctxt is None
                    else translation.pgettext(entry.msgctxt, entry.msgid)
                ]
                want = [entry.msgstrs[0]]
            else:
                got, want = [], []
                for index, msgstr in enumerate(entry.msgstrs):
                    n = numbers[index]
                    got.append(
                        translation.ngettext(entry.msgid, entry.msgid_plural, n)
                        if entry.msgctxt is None
                        else translation.npgettext(
                            entry.msgctxt, entry.msgid, entry.msgid_plural, n
                        )
                    )
                    want.append(msgstr)
            if got != want:
                problems.append(f"{entry.label}: {got!r} instead of {want!r}")
    assert problems == []


# --- Pages in the visitor's language ---------------------------------------------------

DUTCH = {"Municipalities": "Gemeenten", "Opening hours": "Openingsuren"}
FRENCH = {"Municipalities": "Communes", "Opening hours": "Heures d'ouverture"}


def test_the_expected_words_are_those_of_the_catalogues():
    for language, words in (("nl", DUTCH), ("fr", FRENCH)):
        with translation.override(language):
            assert {source: translation.gettext(source) for source in words} == words


def assert_page_in(response, language: str, words: dict[str, str]) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for word in words.values():
        # {% translate %} output may or may not be HTML-escaped; either is the same word.
        assert f">{word}</h2>" in html or f">{escape(word)}</h2>" in html, word
    for source in words:
        assert f">{source}</h2>" not in html


@pytest.mark.django_db
def test_a_loket_home_is_in_dutch_without_a_language_preference(client_for):
    assert_page_in(client_for("alpha").get("/"), "nl", DUTCH)


@pytest.mark.django_db
def test_choosing_french_makes_the_next_pages_french(client_for):
    client = client_for("alpha")
    assert_page_in(client.get("/"), "nl", DUTCH)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert_page_in(client.get("/"), "fr", FRENCH)


@pytest.mark.django_db
def test_a_belgian_french_browser_gets_french_on_the_first_visit(client_for):
    response = client_for("alpha").get("/", headers={"accept-language": "fr-BE"})
    assert_page_in(response, "fr", FRENCH)
