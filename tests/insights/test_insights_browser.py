"""In headless Chromium, in Danish: the comment explorer filtered by a theme and by sentiment,
and the drivers view showing the themes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from insights import analysis
from tests.insights.conftest import PERIOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_explorer_by_theme_and_sentiment_and_the_drivers_in_danish(small, page, browser_login):
    small.owner.language = "da"
    small.owner.save(update_fields=["language"])
    browser_login(small.owner.email)
    levering = next(s for s in analysis.starter_taxonomy() if s.key == "delivery").names["da"]

    page.goto(f"/o/{small.slug}/dashboard/comments/?{PERIOD}")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("#comments > li")).to_have_count(10)
    expect(page.locator("#c-theme option[value=delivery]")).to_have_text(levering)
    page.locator("#c-theme").select_option("delivery")
    page.locator("form:has(#c-theme) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]theme=delivery(&|$)"))
    expect(page.locator("#comments > li")).to_have_count(5)  # 8, 6, 5, 3, 0
    page.locator("#c-sentiment").select_option("negative")
    page.locator("form:has(#c-theme) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]sentiment=negative(&|$)"))
    expect(page.locator("#comments > li")).to_have_count(4)  # without the passive's "tog lidt tid"
    expect(page.locator("#comments")).not_to_contain_text("Leveringen tog lidt tid")
    expect(page.locator("#comments .theme[data-theme=delivery]").first).to_have_text(levering)

    page.goto(f"/o/{small.slug}/dashboard/drivers/?{PERIOD}")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    rows = page.locator("#drivers tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-theme", "delivery")
    expect(rows.first.locator("th")).to_have_text(levering)
    expect(rows.first.locator(".nps")).to_have_text("-80")
    # a theme links to its comments
    rows.first.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/dashboard/comments/.*theme=delivery"))
    expect(page.locator("#comments > li")).to_have_count(5)
