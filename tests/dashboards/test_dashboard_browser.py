"""The dashboard in headless Chromium: Plotly draws the four charts from the page's JSON (no
inline scripts), the filter form puts the filters in the URL and changes the numbers, and
axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.dashboards.conftest import PERIOD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-trend", "chart-distribution", "chart-categories", "chart-sources"]


@pytest.fixture
def dashboard_page(page, browser_login):
    world = build_world()
    browser_login(world.owner.email)
    page.goto(f"/o/{world.slug}/dashboard/?{PERIOD}")
    return world, page


def _charts_drawn(page):
    expect(page.locator("[data-chart]")).to_have_count(len(CHARTS))
    for name in CHARTS:
        expect(page.locator(f'[data-chart="{name}"] svg.main-svg').first).to_be_attached()


def test_the_dashboard_draws_its_four_charts(dashboard_page, axe_violations):
    _world, page = dashboard_page
    expect(page.locator("#headline-nps")).to_have_text("60")
    _charts_drawn(page)
    # the distribution chart has its eleven bars
    expect(page.locator('[data-chart="chart-distribution"] g.point')).to_have_count(11)
    assert axe_violations(page) == []


def test_axe_finds_no_serious_violation_on_the_dashboard(dashboard_page, axe_violations):
    _world, page = dashboard_page
    _charts_drawn(page)
    assert axe_violations(page) == []


def test_the_filter_form_changes_the_url_and_the_numbers(dashboard_page):
    world, page = dashboard_page
    north = world.departments["north"]
    north_n = sum(1 for s in world.current if s["department"] == north)
    page.locator("#f-department").select_option(label="Sales North")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"[?&]department={north.pk}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]from=2025-03-03(&|$)"))
    expect(page.locator("#headline-n")).to_have_text(str(north_n))
    expect(page.locator("#f-department")).to_have_value(str(north.pk))
    expect(page.locator('[data-chart="chart-trend"] svg.main-svg').first).to_be_attached()

    page.locator("#f-department").select_option("")
    page.locator("#f-kind").select_option("enps")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=enps(&|$)"))
    expect(page.locator("#headline-n")).to_have_text(str(len(world.enps)))
    expect(page.locator("h1")).to_have_text("Employee NPS")
