"""A segment's dashboard is counted from the raw answers in one scan (issue 16): every
breakdown, the sources and the "eNPS beside cNPS" table equal a recount of the segment's
contacts' answers, for an admin and for a manager."""

from __future__ import annotations

from collections import defaultdict

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import by_id, category, chart, table_rows, text
from tests.dashboards.test_dashboard_pages import get, grouped, headline, name_or_none

BREAKDOWNS = {
    "channel": lambda s: s["channel"],
    "language": lambda s: s["language"],
    "survey": lambda s: s["survey"].name,
    "region": lambda s: s["contact"].region,
    "product": lambda s: s["contact"].product,
    "employee": lambda s: name_or_none(s["employee"]),
}


@pytest.fixture
def nord(world):
    from contacts.models import Segment

    with tenant_context(world.organization):
        return Segment.objects.create(organization=world.organization, name="Nord", filters={"region": "Nord"})


def _in_nord(specs):
    return [s for s in specs if s["contact"] is not None and s["contact"].region == "Nord"]


@pytest.mark.parametrize("as_array", [True, False], ids=["ids-as-array", "large-segment-subquery"])
def test_every_breakdown_and_the_sources_of_a_segment_equal_a_recount(world, login, nord, monkeypatch, as_array):
    if not as_array:  # a segment larger than SEGMENT_IDS_MAX stays a subquery, joined to the contacts
        monkeypatch.setattr("dashboards.selectors.SEGMENT_IDS_MAX", 0)
    html = get(login(world.owner), world.url(query=f"segment={nord.pk}&from=2025-03-03&to=2025-03-16"))
    specs = _in_nord(world.current)
    assert specs and len(specs) < len(world.current)
    for dimension, key in BREAKDOWNS.items():
        assert table_rows(html, f"by-{dimension}") == grouped(specs, key), dimension
    assert headline(html)[1] == str(len(specs))

    sourced = [s for s in specs if s["source"]]
    labels = {"recommendation": "A recommendation from someone I know", "search": "Search engine",
              "__other__": "Other"}
    by_label = defaultdict(lambda: [0, 0, 0])
    for s in sourced:
        by_label[labels[s["source"]]][("detractor", "passive", "promoter").index(category(s["score"]))] += 1
    figure = chart(html, "chart-sources")
    for trace, index in zip(figure["data"], range(3), strict=True):
        assert dict(zip(trace["y"], trace["x"], strict=True)) == {k: v[index] for k, v in by_label.items()}
    recommended = sum(1 for s in sourced if s["source"] == "recommendation")
    assert f"{round(100 * recommended / len(sourced))} % came by recommendation" in text(html)


def test_a_managers_segment_counts_only_their_departments(world, login, member, nord):
    north = world.departments["north"]
    manager = member(world, "manager", departments=[north])
    html = get(login(manager), world.url(query=f"segment={nord.pk}&from=2025-03-03&to=2025-03-16"))
    members = {north, *(d for d in world.departments.values() if d.parent_id == north.pk)}
    specs = [s for s in _in_nord(world.current) if s["department"] in members]
    assert headline(html)[1] == str(len(specs))
    assert table_rows(html, "by-channel") == grouped(specs, BREAKDOWNS["channel"])
    # the cNPS column beside the eNPS counts the same answers, from the same scan
    beside = text(by_id(html, "enps-beside"))
    for department in {s["department"] for s in specs if s["department"] is not None}:
        assert department.name in beside
