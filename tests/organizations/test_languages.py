"""The staff side in the reader's language: the navbar's switch and the profile keep a member's
choice; until they choose, the organization's default language applies; anonymous pages follow
the browser; dates follow the locale on a 24-hour clock; staff emails go out in each recipient's
language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from nps_platform.mail import mail_in_their_languages
from nps_platform.tenancy import tenant_context
from organizations.models import Organization, User

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', response.content.decode()).group(1)


def word(language: str, text: str) -> str:
    with translation.override(language):
        translated = gettext(text)
    assert translated != text, f"{text!r} is not translated into {language}"
    return translated


def test_the_switch_keeps_a_members_language_on_their_profile(org_a, member_client):
    organization, owner = org_a
    client = member_client(owner)
    page = f"/o/{organization.slug}/surveys/"
    assert html_lang(client.get(page)) == "en"
    switched = client.post("/i18n/setlang/", {"language": "da", "next": page})
    assert switched.status_code == 302 and switched["Location"] == page
    owner.refresh_from_db()
    assert owner.language == "da"
    danish = client.get(page)
    assert html_lang(danish) == "da" and word("da", "Surveys") in danish.content.decode()
    # the choice follows the member to a new browser (their profile, not a cookie)
    fresh = Client()
    fresh.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert html_lang(fresh.get(page)) == "da"
    assert client.post("/i18n/setlang/", {"language": "xx", "next": page}).status_code == 302
    owner.refresh_from_db()
    assert owner.language == "da"  # an unknown language changes nothing


def test_the_profile_page_sets_the_language_and_the_name(org_a, member_client):
    _organization, owner = org_a
    client = member_client(owner)
    assert client.post("/accounts/profile/", {"full_name": "Ulla Ejer", "language": "fi"}).status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.language) == ("Ulla Ejer", "fi")
    page = client.get("/accounts/profile/")
    assert html_lang(page) == "fi" and word("fi", "Your profile") in page.content.decode()


def test_the_organizations_language_applies_until_a_member_chooses(org_a, add_member, member_client):
    organization, _owner = org_a
    Organization.objects.filter(pk=organization.pk).update(default_language="sv")
    viewer = add_member(organization, "viewer")
    client = member_client(viewer)
    page = client.get(f"/o/{organization.slug}/dashboard/")
    assert html_lang(page) == "sv" and word("sv", "Dashboard") in page.content.decode()
    User.objects.filter(pk=viewer.pk).update(language="de")
    assert html_lang(member_client(User.objects.get(pk=viewer.pk)).get(f"/o/{organization.slug}/dashboard/")) == "de"


@pytest.mark.parametrize("language", ["da", "sv", "nb", "fi", "hr", "de"])
def test_anonymous_pages_follow_the_browser(client, language):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    assert html_lang(page) == language
    assert word(language, "Log in") in page.content.decode()


def test_dates_follow_the_locale_on_a_24_hour_clock(org_a, member_client):
    from organizations.services import audit_record

    organization, owner = org_a
    with tenant_context(organization):
        entry = audit_record(organization=organization, actor=owner, action="test.done", summary="x")
        when = dt.datetime(2026, 3, 12, 21, 7, tzinfo=dt.UTC)
        type(entry).objects.filter(pk=entry.pk).update(created_at=when)
    client = member_client(owner)
    english = client.get(f"/o/{organization.slug}/audit/").content.decode()
    assert "p.m." not in english and not re.search(r"\b03/12/2026\b", english)
    assert "12 Mar 2026, 22:07" in english  # 21:07 UTC is 22:07 in Copenhagen, the organization's zone
    User.objects.filter(pk=owner.pk).update(language="de")
    german = member_client(User.objects.get(pk=owner.pk)).get(f"/o/{organization.slug}/audit/").content.decode()
    assert "12.03.2026 22:07" in german


@pytest.mark.parametrize(("template", "english", "context"), [
    ("emails/alert", ["What to do:", "Open the case"], "alert"),
    ("emails/case_reminder", ["Open the case"], "case"),
    ("emails/case_escalated", ["Open the case"], "case"),
    ("emails/digest", ["promoters", "passives", "detractors"], "digest"),
    ("emails/report", ["Open the dashboard"], "report"),
    ("emails/member_invitation", ["Accept the invitation here:"], "invitation"),
])
def test_each_staff_email_for_a_swedish_recipient_is_swedish(org_a, template, english, context):
    organization, _owner = org_a

    class Stub:  # what the templates read of their objects
        pk, name, email, score, comment, category, playbook = 7, "Obj", "a@b.se", 3, "Långsamt", "detractor", "Ring"
        due_at = expires_at = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)
        owner = None
        brand_color = "#1f4e79"

        def get_full_name(self):
            return "Anna"

    stub = Stub()
    contexts = {
        "alert": {"rule": stub, "survey": stub, "response": stub, "organization": organization, "contact": None,
                  "responses_url": "https://x/responses",
                  "case_url": "https://x/case", "due_at": stub.due_at, "category_label": "detractor"},
        "case": {"case": stub, "response": stub, "case_url": "https://x/case", "level": 1},
        "digest": {"department": stub, "responses": [], "count": 3, "nps": 10, "counts": (1, 1, 1),
                   "organization": organization},
        "report": {"organization": organization, "headline": {"score": stub, "change": 3, "significant": True},
                   "period": (dt.date(2026, 3, 2), dt.date(2026, 3, 8)), "link": "https://x", "departments": []},
        "invitation": {"invitation": stub, "organization": organization, "link": "https://x", "inviter": stub},
    }
    mail_in_their_languages(recipients=[("chef@kund.se", "sv"), ("boss@client.com", "en")], template=template,
                            subject=lambda: gettext("Your profile"), context=contexts[context])
    swedish = next(m for m in mail.outbox if m.to == ["chef@kund.se"])
    english_mail = next(m for m in mail.outbox if m.to == ["boss@client.com"])
    for text in english:
        assert text in english_mail.body or text in english_mail.alternatives[0][0]
        assert text not in swedish.body and text not in swedish.alternatives[0][0], text
        assert word("sv", text) in swedish.body + swedish.alternatives[0][0]
    assert swedish.subject == word("sv", "Your profile")
