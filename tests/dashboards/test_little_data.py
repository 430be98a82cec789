"""The dashboard with little data: a new organization sees sentences, not empty axes; two answers
show no ±138-point margin; one week of data gets a readable date axis, not millisecond ticks."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests.dashboards.conftest import published
from tests.dashboards.helpers import add_responses, by_id, chart, html_of, rebuild, text


def test_a_new_organization_sees_sentences_instead_of_empty_charts(org_a, member_client):
    organization, owner = org_a
    published(organization, owner, name="Relationship")
    html = html_of(member_client(owner).get(f"/o/{organization.slug}/dashboard/"))
    for name in ("trend", "distribution", "categories", "sources"):
        assert f'data-chart="chart-{name}"' not in html
        assert text(by_id(html, f"empty-{name}"))
    assert "No answers in this period yet" in text(by_id(html, "empty-trend"))
    assert "±" not in text(by_id(html, "headline"))


def test_two_answers_in_one_day_say_too_few_for_a_margin_and_get_a_date_axis(org_a, member_client):
    organization, owner = org_a
    survey = published(organization, owner, name="Relationship")
    now = timezone.now()
    add_responses(organization, survey, [{"score": 10, "at": now - dt.timedelta(minutes=5)},
                                         {"score": 2, "at": now - dt.timedelta(minutes=1)}])
    rebuild(organization)
    html = html_of(member_client(owner).get(f"/o/{organization.slug}/dashboard/"))
    headline = text(by_id(html, "headline"))
    assert "too few answers for a margin" in headline and "±" not in headline
    assert not re.search(r"±\s*\d", html)  # no margin anywhere: breakdown rows have n = 2 too
    trend = chart(html, "chart-trend")
    band = [trace for trace in trend["data"] if trace.get("hoverinfo") == "skip" or trace.get("fill")]
    assert all(v is None for trace in band for v in trace["y"])  # no band for n < 30
    axis = trend["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["dtick"] == 7 * 86_400_000 and "%" in axis["tickformat"]
    start, end = (dt.date.fromisoformat(d) for d in axis["range"])
    assert (end - start).days >= 7  # a span of days around the one point, not a zoom into milliseconds
    assert chart(html, "chart-categories")["layout"]["xaxis"]["type"] == "date"
    # Nobody answered the source question: a sentence, not a garbled empty bar chart.
    assert 'data-chart="chart-sources"' not in html and text(by_id(html, "empty-sources"))


def test_thirty_answers_get_their_margin_back(org_a, member_client):
    organization, owner = org_a
    survey = published(organization, owner, name="Relationship")
    now = timezone.now()
    add_responses(organization, survey, [{"score": 10 if i % 3 else 4, "at": now - dt.timedelta(minutes=i),
                                          "source": "search"} for i in range(30)])
    rebuild(organization)
    html = html_of(member_client(owner).get(f"/o/{organization.slug}/dashboard/"))
    assert re.search(r"±\d+(\.\d)?", text(by_id(html, "headline-margin")))
    assert 'data-chart="chart-sources"' in html
