"""Saved segments' comment rollups at scale (issue 16): a slice's recount is a fixed number of
set-based statements whatever the number of segments and of the slice's contacts, and its rows
equal a recount of each segment's members' answers; the drivers page of a segment reads the
segment's comment rollups — built on its first view when they never were — instead of its
answers, with the figures the answers give."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import add_responses, local, segment_members
from tests.insights.conftest import PERIOD, WEEK1, analyse_as

DAY = WEEK1 + dt.timedelta(days=2)
CONTACTS = 24
# an IN list or array of ten ids or more in one statement: a list that grows with the data
ID_LIST = re.compile(r"(\d+\s*,\s*){9,}\d+")


def _contacts_with_comments(small, n=CONTACTS):
    """n contacts in two regions and two products, each with one analysed comment on DAY."""
    from contacts.models import Contact

    organization = small.organization
    with tenant_context(organization):
        contacts = [Contact.objects.create(organization=organization, email=f"c{i}@kunde.dk",
                                           region=("Nord", "Syd")[i % 2], product=("Cargo", "City", "Racer")[i % 3],
                                           language="da")
                    for i in range(n)]
    answers = add_responses(organization, small.cnps, [
        {"score": (10, 8, 3)[i % 3], "at": local(DAY, hour=8 + i % 10), "comment": f"Kommentar {i}", "language": "da",
         "contact": contact, "department": (small.departments["a"], small.departments["b"], None)[i % 3]}
        for i, contact in enumerate(contacts)])
    for i, response in enumerate(answers):
        analyse_as(organization, response, ("positive", "neutral", "negative")[i % 3],
                   [["delivery"], ["staff", "price"], []][i % 3])
    return contacts


def _segment(small, name, filters):
    """A saved segment with both its rollups built, as the worker builds them on its save."""
    from contacts.models import Segment
    from dashboards.segment_rollups import segment_rollups_build
    from insights.rollups import segment_comment_rollups_build

    organization = small.organization
    with tenant_context(organization):
        segment = Segment.objects.create(organization=organization, name=name, filters=filters)
        segment_rollups_build(organization=organization, segment_id=segment.pk)
        segment_comment_rollups_build(organization=organization, segment_id=segment.pk)
    return segment


def segment_comment_rows(organization, segment) -> tuple[dict, dict]:
    from insights.models import SegmentSentimentRollup, SegmentThemeRollup

    with tenant_context(organization):
        sentiments = {(r.survey_id, r.day, r.department_id, r.category, r.sentiment): r.n
                      for r in SegmentSentimentRollup.objects.filter(segment=segment)}
        themes = {(r.survey_id, r.day, r.department_id, r.theme_id, r.category): r.n
                  for r in SegmentThemeRollup.objects.filter(segment=segment)}
    return sentiments, themes


def segment_comment_recount(organization, segment) -> tuple[dict, dict]:
    """The segment's comment rows counted one answer at a time from its members' answers."""
    from tests.insights.helpers import comment_recount

    return comment_recount(organization, contact_ids=segment_members(organization, segment))


def _refresh_queries(small) -> list[str]:
    from insights.rollups import comment_rollup_refresh

    with tenant_context(small.organization), CaptureQueriesContext(connection) as queries:
        comment_rollup_refresh(organization=small.organization, survey_id=small.cnps.pk, day=DAY)
    return [q["sql"] for q in queries.captured_queries]


def test_a_slice_recount_is_a_fixed_number_of_statements_whatever_the_segments(small):
    """1 + 2 queries per segment with every contact's id in them, before; now the segments'
    rows of the slice are two INSERT … SELECT for all of them."""
    _contacts_with_comments(small)
    segments = [_segment(small, "Nord", {"region": "Nord"})]
    one = _refresh_queries(small)
    segments += [_segment(small, "Syd", {"region": "Syd"}), _segment(small, "Cargo", {"product": "Cargo"}),
                 _segment(small, "Dansk", {"language": "da"}), _segment(small, "Ingen", {"region": "Vest"}),
                 _segment(small, "Nord cargo", {"region": "Nord", "product": "cargo"})]
    six = _refresh_queries(small)
    assert len(six) == len(one), "the recount's statements grew with the number of segments"
    assert not [sql for sql in six if ID_LIST.search(sql)], "a statement lists ids"
    for segment in segments:
        rows = segment_comment_rows(small.organization, segment)
        assert rows == segment_comment_recount(small.organization, segment), segment.name
    # Nord: twelve members' answers organization-wide, eight of them in their department's row too
    assert sum(segment_comment_rows(small.organization, segments[0])[0].values()) == 12 + 8
    assert segment_comment_rows(small.organization, segments[4]) == ({}, {})  # no one in "Vest"


def test_a_slice_recount_follows_a_members_new_answer_in_every_segment(small):
    """The slice recounted after a new analysed answer (a member of some segments, not of others):
    every segment's rows are a recount again, and the organization's too."""
    from tests.insights.helpers import comment_recount, comment_rollup_rows

    contacts = _contacts_with_comments(small, n=6)
    segments = [_segment(small, "Nord", {"region": "Nord"}), _segment(small, "Syd", {"region": "Syd"}),
                _segment(small, "City", {"product": "City"})]
    new = add_responses(small.organization, small.cnps, [
        {"score": 1, "at": local(DAY, hour=22, minute=59), "comment": "Sent igen", "contact": contacts[0],
         "department": small.departments["a"]}])
    analyse_as(small.organization, new[0], "negative", ["delivery", "communication"])
    for segment in segments:
        assert segment_comment_rows(small.organization, segment) == segment_comment_recount(small.organization,
                                                                                           segment), segment.name
    assert comment_rollup_rows(small.organization) == comment_recount(small.organization)


# --- The drivers page of a segment -------------------------------------------------------------

def _plain(figures):
    return (figures.categories, figures.commented, figures.sentiments,
            {t: dict(c) for t, c in figures.mentions.items()},
            {t: {w: dict(c) for w, c in weeks.items()} for t, weeks in figures.weekly.items()}, figures.mentioned)


def _drivers_rows(figures):
    return [(row["theme"].key, row["n"], row["score"].nps, row["shares"], row["effect"],
             [(p["week"], p["score"].nps) for p in row["trend"]]) for row in figures["themes"]]


@pytest.mark.parametrize("query", [PERIOD, "from=2000-01-01", f"{PERIOD}&department=a"])
def test_a_segments_drivers_page_reads_its_comment_rollups_not_its_answers(small, member_client, monkeypatch,
                                                                          query):
    """A segment whose comment rows were never built (saved before they existed; no worker has
    run the build the page queued): the drivers page builds them on its first view and from then
    on reads them — no query of the page touches the answers — with the figures the answers give."""
    from django.http import QueryDict

    from contacts.models import Segment
    from dashboards.segment_rollups import segment_rollups_build
    from dashboards.selectors import dashboard_for
    from insights import selectors
    from organizations import access
    from organizations.models import Membership

    _contacts_with_comments(small)
    organization = small.organization
    query = query.replace("department=a", f"department={small.departments['a'].pk}")
    queued = []
    monkeypatch.setattr("insights.rollups.task_enqueue", lambda name, **kwargs: queued.append(name))
    with tenant_context(organization):
        segment = Segment.objects.create(organization=organization, name="Nord", filters={"region": "Nord"})
        segment_rollups_build(organization=organization, segment_id=segment.pk)  # the dashboard's own rows
    url = f"/o/{small.slug}/dashboard/drivers/?{query}&segment={segment.pk}"
    client = member_client(small.owner)
    assert client.get(url).status_code == 200  # the first view
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    answers = [q["sql"] for q in queries.captured_queries if "responses_response" in q["sql"]]
    assert answers == [], "the drivers page of a segment read its answers"
    assert len(queries.captured_queries) < 40

    with tenant_context(organization):
        actor = access.actor_for(Membership.objects.get(organization=organization, user=small.owner))

        def board():
            return dashboard_for(actor=actor, params=QueryDict(f"{query}&segment={segment.pk}"))

        assert selectors._from_rollups(board())
        from_rollups = selectors.drivers(board())
        assert _plain(selectors._rollup_figures(board())) == _plain(selectors._segment_figures(board()))
        monkeypatch.setattr(selectors, "_from_rollups", lambda board, build=False: False)  # the raw path
        from_answers = selectors.drivers(board())
    assert _drivers_rows(from_rollups) == _drivers_rows(from_answers)
    assert from_rollups["comments"] == from_answers["comments"] > 0
    assert from_rollups["overall"] == from_answers["overall"]
    assert queued == ["insights.segment_comment_rollups_build"]  # once, in case the page is cut short


def test_a_segments_stale_comment_rows_are_not_read_nor_built_on_the_page(small, member_client, monkeypatch):
    """Rows that were built but are behind a change (a contact moved in) are not read, nor built on
    the page: the page counts the answers (with the new member) and the build the change queued
    after its commit catches up."""
    from contacts.services import contact_save
    from insights.models import SegmentCommentRollupState
    from insights.rollups import segment_comment_rollups_current

    contacts = _contacts_with_comments(small, n=6)
    segment = _segment(small, "Nord", {"region": "Nord"})
    organization = small.organization
    monkeypatch.setattr("insights.rollups.task_enqueue", lambda name, **kwargs: None)
    monkeypatch.setattr("dashboards.segment_rollups.task_enqueue", lambda name, **kwargs: None)
    with tenant_context(organization):
        built = SegmentCommentRollupState.objects.get(segment=segment).built_at
        moved = contacts[1]  # from Syd
        moved.region = "Nord"
        contact_save(contact=moved, by=small.owner)
    page = member_client(small.owner).get(f"/o/{small.slug}/dashboard/drivers/?{PERIOD}&segment={segment.pk}")
    assert page.status_code == 200
    with tenant_context(organization):
        assert not segment_comment_rollups_current(organization=organization, segment_id=segment.pk)
        assert SegmentCommentRollupState.objects.get(segment=segment).built_at == built
