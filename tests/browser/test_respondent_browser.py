"""Respondents in a real browser: answering from an email link on a phone in Danish, changing
the score, an expired link, accessibility (axe-core), and a hostile comment on the admin side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from distribution.models import Invitation
from distribution.services import distribution_tick
from nps_platform.tenancy import tenant_context
from responses.models import Response, ResponseChange
from tests.distribution.conftest import campaign_for, contacts_in, links_in, path_of, published_survey  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def emailed_link(make_org, published_survey, contacts_in, campaign_for, smtp_sink):  # noqa: F811
    """A Danish customer's email; returns (organization, owner, the email's score-3 link path)."""
    organization, owner = make_org("Cykelmageren ApS")
    survey = published_survey(organization, owner, languages=("da", "en"))
    with tenant_context(organization):
        reason = survey.questions.get(key="reason")
        reason.texts["da"]["text_promoter"] = "Hvad glæder dig mest?"
        reason.texts["da"]["text_detractor"] = "Hvad gik galt?"
        reason.save()
        from surveys.services import survey_publish

        survey_publish(survey=survey, by=owner)
    contacts_in(organization, [("dorte@kunde.dk", "da")])
    campaign_for(organization, owner, survey)
    distribution_tick()
    message = smtp_sink.wait_for(1)[0]
    link = next(u for u in links_in(message, smtp_sink) if u.endswith("score=3"))
    return organization, owner, path_of(link)


def test_answering_from_the_email_on_a_phone_in_danish(emailed_link, page, axe_violations):
    organization, _owner, link = emailed_link
    page.set_viewport_size(PHONE)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("#score-3")).to_be_checked()
    expect(page.get_by_text("Hvad gik galt?")).to_be_visible()  # the detractor wording
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert axe_violations(page) == []
    with tenant_context(organization):
        assert Response.objects.count() == 0  # opening the link recorded nothing

    # She changes her mind: 9. The script saves the score at once and rewords the question.
    page.locator("label[for=score-9]").click()
    expect(page.locator(".r-saved")).not_to_be_empty()
    expect(page.get_by_text("Hvad glæder dig mest?")).to_be_visible()
    with tenant_context(organization):
        assert Response.objects.get().score == 9

    page.get_by_label("Hvad glæder dig mest?").fill("Hurtig service og søde mekanikere")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Tak!")
    assert axe_violations(page) == []
    with tenant_context(organization):
        response = Response.objects.get()
        assert (response.score, response.category, response.language) == (9, "promoter", "da")
        assert response.comment == "Hurtig service og søde mekanikere"
        assert ResponseChange.objects.filter(response=response).count() == 1  # the score-only save before


def test_the_survey_works_by_keyboard_alone(emailed_link, page):
    _organization, _owner, link = emailed_link
    page.goto(link.split("?")[0])
    page.locator("#score-0").focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    expect(page.locator("#score-10")).to_be_checked()
    expect(page.locator(".r-saved")).not_to_be_empty()  # each choice was saved as it was made
    focused_outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=score-10]')).outlineStyle")
    assert focused_outline != "none"


def test_an_expired_link_gets_a_friendly_page_in_danish(emailed_link, page, axe_violations):
    organization, _owner, link = emailed_link
    with tenant_context(organization):
        Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    page.set_viewport_size(PHONE)
    response = page.goto(link)
    assert response.status == 410
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("h1")).to_have_text("Linket er udløbet")
    assert axe_violations(page) == []


def test_a_hostile_comment_is_shown_as_text_to_the_admin(emailed_link, page, browser_login):
    organization, owner, link = emailed_link
    page.goto(link)
    page.get_by_label("Hvad gik galt?").fill("<script>window.hacked = true</script><b>bold?</b>")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Tak!")

    browser_login(owner.email)
    page.goto(f"/o/{organization.slug}/responses/")
    cell = page.locator("#responses td.comment .comment-text").first
    expect(cell).to_have_text("<script>window.hacked = true</script><b>bold?</b>")
    assert page.evaluate("window.hacked === undefined")
    assert cell.locator("b").count() == 0
