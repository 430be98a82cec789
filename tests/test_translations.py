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
