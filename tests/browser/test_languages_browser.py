"""A Danish and a Finnish member walk every page of the navigation and the main forms in headless
Chromium: no visible English from the product's own texts, no US-style dates."""

from __future__ import annotations

import re

import polib
import pytest
from django.core.management import call_command

from organizations.models import User
from tests.test_translations import LOCALE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}:\d{2}\s?[ap]\.?m\.?", re.IGNORECASE)
# The product's own English that a page may still show in any language: names, units, codes.
SAME_IN_EVERY_LANGUAGE = re.compile(r"^(NPS|eNPS|cNPS|API|CSV|XLSX|PDF|URL|HTTP|CSAT|Webhook|Dashboard|Slack|Teams)\b")


def english_texts(language: str) -> list[str]:
    """The product's English texts that read differently in `language`: whole sentences and
    labels of two words or more, without placeholders or markup."""
    out = set()
    for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        text = e.msgid.strip()
        if e.obsolete or e.msgid_plural or "%" in text or "<" in text or "{" in text or "&" in text:
            continue
        if len(text.split()) < 2 or len(text) < 10 or e.msgstr.strip() == text or SAME_IN_EVERY_LANGUAGE.match(text):
            continue
        out.add(text)
    return sorted(out, key=len, reverse=True)


def visible_text(page) -> str:
    """The page's text but for what was recorded as it happened (the audit log's summaries are
    kept in the words of their moment, like any data)."""
    return page.evaluate("""() => { const body = document.body.cloneNode(true);
        body.querySelectorAll('[data-recorded]').forEach(e => e.remove()); return body.innerText; }""")


@pytest.mark.parametrize("language", ["da", "fi"])
def test_a_member_reads_every_page_in_their_language(language, page, browser_login):
    call_command("seed_demo", slug="kieli", email="owner@kieli.example", password="pass-Word-123")
    User.objects.filter(email="owner@kieli.example").update(language=language)
    browser_login("owner@kieli.example")
    page.goto("/o/kieli/")
    links = page.eval_on_selector_all(
        "#mainnav a.nav-link[href^='/o/'], #mainnav a.dropdown-item[href^='/o/']", "els => els.map(e => e.pathname)")
    forms = ["/o/kieli/surveys/new/", "/o/kieli/campaigns/new/", "/o/kieli/contacts/new/",
             "/o/kieli/contacts/import/", "/o/kieli/members/", "/o/kieli/settings/", "/o/kieli/followup/rules/new/",
             "/accounts/profile/"]
    paths = list(dict.fromkeys([*links, *forms]))
    assert len(links) >= 10, links
    english = english_texts(language)
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.evaluate("() => document.documentElement.lang") == language, path
        text = visible_text(page)
        found = [t for t in english if t in text]
        if found:
            problems.append(f"{path}: English {found[:5]}")
        if US_DATE.search(text):
            problems.append(f"{path}: US-style date or time {US_DATE.search(text).group(0)!r}")
    assert not problems, "\n".join(problems)
