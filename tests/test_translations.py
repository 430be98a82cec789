"""The gettext catalogues: what respondents read (survey page, thank-you page, default survey wording and
template names) is translated in every shipped language, keeps its placeholders, and is compiled."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["da", "sv", "nb", "fi", "hr", "de"]
CONTEXTS = ("respondent", "survey template", "survey template name")
PLURAL_FORMS = {
    "hr": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}
# {company}-style (python-brace-format) and %(name)s / %d-style (python-format) placeholders.
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)[sdif]|%[sdif]")


def _po(language: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path} is missing"
    return polib.pofile(str(path))


def _respondent_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgctxt in CONTEXTS]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_respondent_texts_are_translated_with_their_placeholders(language):
    entries = _respondent_entries(_po(language))
    assert entries, f"{language}: no entries with context {CONTEXTS}"
    problems = []
    for e in entries:
        where = f"{language} [{e.msgctxt}] {e.msgid!r}"
        if not e.msgstr.strip():
            problems.append(f"{where}: not translated")
            continue
        if e.fuzzy:
            problems.append(f"{where}: marked fuzzy")
        if _placeholders(e.msgstr) != _placeholders(e.msgid):
            problems.append(f"{where}: placeholders {sorted(_placeholders(e.msgstr))} in {e.msgstr!r}, "
                            f"expected {sorted(_placeholders(e.msgid))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    po = _po(language)
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.is_file(), f"{mo_path} is missing: run `manage.py compilemessages --ignore=.venv`"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    stale = [
        f"{language} [{e.msgctxt}] {e.msgid!r}: .mo has {compiled.get((e.msgctxt, e.msgid))!r}, .po has {e.msgstr!r}"
        for e in _respondent_entries(po)
        if compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not stale, "django.mo is out of date; run `manage.py compilemessages --ignore=.venv`:\n" + "\n".join(stale)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language):
    metadata = _po(language).metadata
    assert metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    assert metadata.get("Plural-Forms") == PLURAL_FORMS.get(language, "nplurals=2; plural=(n != 1);")
    assert "LANGUAGE" not in metadata.get("Language-Team", "LANGUAGE")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_product_is_translated_with_its_placeholders(language):
    """Staff pages, forms, messages, charts, exports and emails too — not only what respondents read."""
    po = _po(language)
    problems = []
    for e in po:
        if e.obsolete:
            continue
        where = f"{language} [{e.msgctxt or ''}] {e.msgid!r}"
        if e.fuzzy:
            problems.append(f"{where}: marked fuzzy")
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        if not forms or not all(f.strip() for f in forms):
            problems.append(f"{where}: not translated")
            continue
        expected = _placeholders(e.msgid_plural or e.msgid)
        for form in forms:
            # a singular form may leave out the count ("one answer"), never add or rename one
            if not _placeholders(form) <= expected or (not e.msgid_plural and _placeholders(form) != expected):
                problems.append(f"{where}: placeholders {sorted(_placeholders(form))} in {form!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_compiled_text_matches_the_po_file(language):
    po = _po(language)
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(
        str(LOCALE / language / "LC_MESSAGES" / "django.mo"))}
    stale = [f"{language} {e.msgid!r}" for e in po if not e.obsolete and not e.fuzzy
             and compiled.get((e.msgctxt, e.msgid), (None, None))[0 if not e.msgid_plural else 1]
             != (e.msgstr if not e.msgid_plural else e.msgstr_plural)]
    assert not stale, "django.mo is out of date; run `manage.py compilemessages --ignore=.venv`:\n" + \
        "\n".join(stale[:40])
