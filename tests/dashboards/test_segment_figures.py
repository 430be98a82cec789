"""A segment's dashboard (issue 16): read from the segment's own rollups while they are current,
else counted from the raw answers in one scan. Either way every breakdown, the sources and the
"eNPS beside cNPS" table equal a recount of the segment's contacts' answers, for an admin and
for a manager, under every department, survey, kind and period filter. A contact edit, import
or deletion that moves people in or out makes the rollups stale — the page counts the raw
answers with the new members at once — until they are rebuilt; another organization's segment
rollups are never read."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from django.http import QueryDict

from nps_platform.tenancy import tenant_context
from tests.dashboards.conftest import END, PERIOD, PREV_START, START
from tests.dashboards.helpers import (
    add_responses,
    by_id,
    category,
    chart,
    local,
    recount,
    rollup_rows,
    segment_members,
    segment_rollup_rows,
    table_rows,
    text,
)
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


def _build(world, segment):
    """What the worker does when a segment is saved (the task's own function)."""
    from dashboards.segment_rollups import segment_rollups_build

    with tenant_context(world.organization):
        return segment_rollups_build(organization=world.organization, segment_id=segment.pk)


def _no_raw_scan(monkeypatch):
    """Fails the test if the page counts the segment's raw answers."""
    def refuse(*args, **kwargs):
        raise AssertionError("the segment's raw answers were counted")
    monkeypatch.setattr("dashboards.selectors.Dashboard._raw_groups", refuse)
    monkeypatch.setattr("dashboards.selectors.Dashboard._raw_sources", refuse)


PATHS = ["ids-as-array", "large-segment-subquery", "segment-rollups"]


@pytest.mark.parametrize("path", PATHS)
def test_every_breakdown_and_the_sources_of_a_segment_equal_a_recount(world, login, nord, monkeypatch, path):
    if path == "large-segment-subquery":  # larger than SEGMENT_IDS_MAX: a subquery, joined to the contacts
        monkeypatch.setattr("dashboards.selectors.SEGMENT_IDS_MAX", 0)
    if path == "segment-rollups":
        assert _build(world, nord) > 0
        _no_raw_scan(monkeypatch)
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


@pytest.mark.parametrize("path", ["raw", "segment-rollups"])
def test_a_managers_segment_counts_only_their_departments(world, login, member, nord, monkeypatch, path):
    if path == "segment-rollups":
        _build(world, nord)
        _no_raw_scan(monkeypatch)
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


# --- segment rollups: the same figures as the raw answers', for every reader and filter -----------

def _actor(world, user):
    from organizations import access
    from organizations.models import Membership

    with tenant_context(world.organization):
        return access.actor_for(Membership.objects.select_related("organization").get(user=user))


def _board(world, actor, query):
    from dashboards import selectors

    with tenant_context(world.organization):
        return selectors.dashboard_for(actor=actor, params=QueryDict(query))


def _figures(world, board) -> dict:
    """Everything a dashboard shows as counts: headline and previous period, trend, every
    breakdown, the department tree, the sources, eNPS beside cNPS."""
    from dashboards import selectors

    def score(s):
        return s.n, s.promoters, s.passives, s.detractors

    with tenant_context(world.organization):
        return {
            "headline": board.histogram(), "previous": board.histogram(board.filters.previous()),
            "trend": [(row["bucket"], score(row["score"])) for row in board.trend()],
            **{dimension: sorted((row["value"], score(row["score"])) for row in board.breakdown(dimension))
               for dimension in selectors.DIMENSIONS},
            "tree": [(row["department"].pk, score(row["score"])) for row in board.department_tree()],
            "recommended": board.sources()["recommendation_share"],
            "beside": [(row["label"], *(score(row[k]) if k in row else None for k in ("cnps", "enps")))
                       for row in selectors.enps_beside_cnps(actor=board.actor, params=QueryDict(board.filters.query()),
                                                            board=board)],
        }


def test_segment_rollups_equal_a_recount_and_the_raw_figures_for_every_reader_and_filter(world, member, nord,
                                                                                        monkeypatch):
    _build(world, nord)
    assert segment_rollup_rows(world.organization, nord) == recount(
        world.organization, segment_members(world.organization, nord))
    d = world.departments
    readers = {"owner": world.owner, "manager of Sales North": member(world, "manager", departments=[d["north"]]),
               "manager of Support": member(world, "manager", departments=[d["support"]]),
               "viewer": member(world, "viewer")}
    filters = {"department": ["", f"&department={d['sales'].pk}", f"&department={d['north'].pk}"],
               "survey": ["", f"&survey={world.relationship.pk}", f"&survey={world.workshop.pk}", "&kind=enps"],
               "period": [f"&{PERIOD}", f"&from={PREV_START}&to={END}&every=month", f"&from={START}&to={START}"]}
    for (name, user), department, survey, period in itertools.product(readers.items(), *filters.values()):
        actor = _actor(world, user)
        query = f"segment={nord.pk}{department}{survey}{period}"
        board = _board(world, actor, query)
        assert board.segment_rollups == ("enps" not in query), query
        from_rollups = _figures(world, board)
        with monkeypatch.context() as patched:
            patched.setattr("dashboards.selectors.segment_rollups_current", lambda segment_id: False)
            raw = _board(world, actor, query)
            assert not raw.segment_rollups
            assert _figures(world, raw) == from_rollups, (name, query)
    # and what the owner sees for the whole period is the segment's contacts' answers, recounted
    board = _board(world, _actor(world, world.owner), f"segment={nord.pk}&{PERIOD}")
    assert _total(board) == len(_in_nord(world.current)) > 0


def test_a_contact_edit_that_moves_someone_out_is_shown_at_once_and_the_rollups_follow(
        world, nord, django_capture_on_commit_callbacks):
    from contacts.services import contact_save

    _build(world, nord)
    owner = _actor(world, world.owner)
    query = f"segment={nord.pk}&{PERIOD}"
    assert _total(_board(world, owner, query)) == len(_in_nord(world.current)) > 0
    karen = world.contacts["karen"]  # the one contact in "Nord"
    with tenant_context(world.organization), django_capture_on_commit_callbacks(execute=False) as after_commit:
        karen.region = "Syd"
        contact_save(contact=karen, by=world.owner)
    # committed, the rebuild not run yet: the page counts the raw answers of the new members
    stale = _board(world, owner, query)
    assert not stale.segment_rollups and stale.raw
    assert _total(stale) == 0
    assert table_rows_of(stale, "region") == []
    for callback in after_commit:  # the rebuild queued after commit
        callback()
    rebuilt = _board(world, owner, query)
    assert rebuilt.segment_rollups
    assert _total(rebuilt) == 0
    assert segment_rollup_rows(world.organization, nord) == {}


def _total(board) -> int:
    with tenant_context(board.organization):
        return sum(board.histogram())


def table_rows_of(board, dimension):
    with tenant_context(board.organization):
        return [(row["value"], row["score"].n) for row in board.breakdown(dimension)]


def test_an_import_that_moves_contacts_in_is_shown_at_once_and_the_rollups_follow(
        world, nord, django_capture_on_commit_callbacks):
    from contacts import services
    from contacts.models import ContactImport

    _build(world, nord)
    owner = _actor(world, world.owner)
    query = f"segment={nord.pk}&{PERIOD}"
    data = b"email;region\r\nsven@kund.se;nord\r\nnew@kunde.dk;Nord\r\n"
    with tenant_context(world.organization):
        record, _info = services.import_start(organization=world.organization, name="regions.csv", data=data,
                                              by=world.owner)
        record.mapping, record.status = {"email": "email", "region": "region"}, ContactImport.Status.QUEUED
        record.save()
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            services.contacts_import_run(record=record)
        assert record.status == ContactImport.Status.DONE, record.failure
    sven_and_karen = [s for s in world.current if s["contact"] is not None]
    stale = _board(world, owner, query)
    assert not stale.segment_rollups
    assert _total(stale) == len(sven_and_karen)  # Sven's answers count at once
    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:
            callback()
    rebuilt = _board(world, owner, query)
    assert rebuilt.segment_rollups
    assert _total(rebuilt) == len(sven_and_karen)
    assert dict(table_rows_of(rebuilt, "region")) == {"nord": sum(1 for s in sven_and_karen
                                                                   if s["contact"].email == "sven@kund.se"),
                                                       "Nord": len(_in_nord(world.current))}
    assert segment_rollup_rows(world.organization, nord) == recount(
        world.organization, segment_members(world.organization, nord))


def test_deleting_a_member_takes_their_answers_out_of_the_segment_and_its_region(
        world, nord, django_capture_on_commit_callbacks):
    from contacts.services import contact_delete

    _build(world, nord)
    owner = _actor(world, world.owner)
    with tenant_context(world.organization), django_capture_on_commit_callbacks(execute=True):
        from contacts.models import Contact

        # a copy: deleting sets the instance's id to None, and the world's objects are shared
        contact_delete(contact=Contact.objects.get(pk=world.contacts["karen"].pk), by=world.owner)
    board = _board(world, owner, f"segment={nord.pk}&{PERIOD}")
    assert board.segment_rollups and _total(board) == 0
    # the organization's own rollups lose the answers' region too (they are the recount's again)
    assert rollup_rows(world.organization) == recount(world.organization)
    assert "Nord" not in dict(table_rows_of(_board(world, owner, PERIOD), "region"))


def test_a_segment_saved_with_new_filters_is_rebuilt_for_them(world, django_capture_on_commit_callbacks):
    from contacts.services import segment_save

    with tenant_context(world.organization), django_capture_on_commit_callbacks(execute=True):
        segment = segment_save(organization=world.organization, name="North", filters={"region": "Nord"},
                               by=world.owner)
    owner = _actor(world, world.owner)
    board = _board(world, owner, f"segment={segment.pk}&{PERIOD}")
    assert board.segment_rollups and _total(board) == len(_in_nord(world.current))
    with tenant_context(world.organization), django_capture_on_commit_callbacks(execute=True):
        segment_save(organization=world.organization, name="South", filters={"region": "Syd"}, by=world.owner,
                     segment=segment)
    board = _board(world, owner, f"segment={segment.pk}&{PERIOD}")
    south = [s for s in world.current if s["contact"] is not None and s["contact"].region == "Syd"]
    assert board.segment_rollups and _total(board) == len(south) > 0


def test_another_organizations_segment_rollups_are_never_read(world, login, make_org, nord):
    from contacts.models import Contact, Segment
    from dashboards.models import SegmentRollup
    from dashboards.segment_rollups import segment_rollups_build
    from tests.dashboards.conftest import published

    other, other_owner = make_org("Konkurrenten")
    survey = published(other, other_owner, name="Theirs")
    with tenant_context(other):
        theirs = Segment.objects.create(organization=other, name="Nord", filters={"region": "Nord"})
        someone = Contact.objects.create(organization=other, email="o@other.dk", region="Nord")
    add_responses(other, survey, [{"score": 0, "at": local(START), "contact": someone}] * 7)
    with tenant_context(other):
        assert segment_rollups_build(organization=other, segment_id=theirs.pk) > 0
    _build(world, nord)
    # their segment's id in our page: nothing of theirs, and our own segment's figures unchanged
    html = get(login(world.owner), world.url(query=f"segment={theirs.pk}&{PERIOD}"))
    assert headline(html)[1] == "0"
    board = _board(world, _actor(world, world.owner), f"segment={theirs.pk}&{PERIOD}")
    assert not board.segment_rollups and _total(board) == 0
    html = get(login(world.owner), world.url(query=f"segment={nord.pk}&{PERIOD}"))
    assert headline(html)[1] == str(len(_in_nord(world.current)))
    # a build asked for their segment in our name writes nothing
    with tenant_context(world.organization):
        assert segment_rollups_build(organization=world.organization, segment_id=theirs.pk) is None
        assert not SegmentRollup.objects.filter(segment=theirs).exists()
    with tenant_context(other):
        assert SegmentRollup.objects.filter(segment=theirs).exists()
