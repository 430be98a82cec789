"""The survey builder as an admin uses it, in headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETRACTOR_EN = "We are sorry. What went wrong, and what should we fix first?"
DETRACTOR_DA = "Det er vi kede af. Hvad gik galt, og hvad skal vi rette først?"


def test_admin_builds_translates_publishes_and_previews_on_a_phone(make_org, page, browser_login, tmp_path):
    organization, owner = make_org("Nordlys Cykler ApS")
    browser_login(owner.email)

    # Start from a template.
    page.goto(f"/o/{organization.slug}/surveys/new/")
    page.get_by_label("Customer relationship (cNPS)").check()
    page.get_by_label("Survey name").fill("Kundetilfredshed 2026")
    page.get_by_label("Default language").select_option("en")
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_role("heading", name="Kundetilfredshed 2026")).to_be_visible()

    # Edit the reason question's detractor wording (htmx swaps the card in place).
    reason = page.locator("#question-list > li").nth(1)
    reason.get_by_role("link", name="Edit").click()
    field = reason.get_by_label("Wording for detractors")
    expect(field).to_be_visible()
    field.fill(DETRACTOR_EN)
    reason.get_by_role("button", name="Save question").click()
    expect(page.locator(".detractor-wording")).to_contain_text(DETRACTOR_EN)

    # Add Danish.
    page.get_by_role("link", name="Settings & languages").click()
    page.get_by_label("Dansk").check()
    page.get_by_role("button", name="Save").click()

    # Publishing now is refused, naming the language and the question.
    page.get_by_role("button", name="Publish").click()
    problems = page.locator("#publish-problems")
    expect(problems).to_contain_text("Dansk translation missing")
    expect(problems).to_contain_text("wording for detractors")

    # Translate the one text the template could not know.
    page.get_by_role("link", name="Texts & translations").click()
    page.get_by_role("link", name=re.compile("Dansk")).click()
    row = page.locator("tr.untranslated", has_text="wording for detractors")
    expect(row).to_have_count(1)
    row.locator("textarea, input").fill(DETRACTOR_DA)
    page.get_by_role("button", name="Save texts").click()
    expect(page.locator("tr.untranslated")).to_have_count(0)

    # Publish.
    page.get_by_role("link", name="Back to the survey").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Published version 1")
    expect(page.locator("#survey-status")).to_have_text("Published")

    # Preview at phone width, in Danish, as a detractor.
    page.get_by_role("link", name="Preview").click()
    page.get_by_label("Language").select_option("da")
    page.get_by_label("Respondent's score").select_option("detractor")
    page.get_by_label("Screen").select_option("phone")
    page.get_by_role("button", name="Show").click()
    frame_element = page.locator("iframe[title='Survey page preview']")
    box = frame_element.bounding_box()
    assert 370 <= box["width"] <= 380
    frame = frame_element.content_frame
    expect(frame.locator("html")).to_have_attribute("lang", "da")
    expect(frame.get_by_text(DETRACTOR_DA)).to_be_visible()
    expect(frame.locator("legend").first).to_contain_text("Nordlys Cykler ApS")
    expect(frame.get_by_role("button")).to_have_text("Send")
    page.screenshot(path=str(tmp_path / "preview-da-phone.png"), full_page=True)
