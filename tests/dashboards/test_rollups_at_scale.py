"""Rollups at scale (issue 16): a rebuild replaces an organization's rows in one transaction, so a
page read meanwhile (another connection) sees the old figures whole, never an emptied dashboard;
deleting a department marks the segments filtered on it stale by a query over the segments, not
by a list of the department's contacts, and leaves every other segment current."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import add_responses, local, recount, rollup_rows

ID_LIST = re.compile(r"(\d+\s*,\s*){9,}\d+")  # ten ids or more in one statement


def _shop(make_org, answers=30):
    """An organization with answers (and their comments analysed) over a few days, its rollups and
    comment rollups rebuilt."""

    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import rebuild
    from tests.insights.conftest import analyse_as

    organization, owner = make_org("Cykelhandlen")
    survey = published(organization, owner, name="Kunder", languages=("da",))
    start = dt.date(2025, 3, 3)
    responses = add_responses(organization, survey, [
        {"score": i % 11, "at": local(start + dt.timedelta(days=i % 5), hour=9 + i % 8), "comment": f"Svar {i}"}
        for i in range(answers)])
    for i, response in enumerate(responses[:10]):
        analyse_as(organization, response, ("positive", "neutral", "negative")[i % 3], [["delivery"], []][i % 2])
    rebuild(organization)
    return organization, owner


def _elsewhere(read):
    """`read()` on a connection of its own (another thread): what a page served meanwhile sees."""
    seen = []

    def run():
        try:
            seen.append(read())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen[0]


def _read_during(table: str, read, work):
    """Runs `work()`, reading `read()` elsewhere right after each DELETE from `table` and after the
    first INSERT into it: the figures another connection sees while the rebuild is under way."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        verb, _, rest = sql.lstrip().replace('"', "").partition(" ")
        target = rest.split()[1] if len(rest.split()) > 1 else ""
        if target == table and (verb == "DELETE" or (verb == "INSERT" and len(seen) < 2)):
            seen.append(_elsewhere(read))
        return result

    with connection.execute_wrapper(wrapper):
        work()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_dashboard_read_during_a_rollup_rebuild_sees_the_old_figures_whole(make_org):
    from dashboards.models import Rollup
    from dashboards.rollups import rollups_rebuild

    organization, _owner = _shop(make_org)

    def total():
        with tenant_context(organization):
            return sum(sum(r.histogram) for r in Rollup.objects.filter(key="all", department=None))

    before = total()
    assert before == 30
    with tenant_context(organization):
        seen = _read_during("dashboards_rollup", total, lambda: rollups_rebuild(organization=organization))
    assert len(seen) >= 2  # after the DELETE and after the first slice's INSERT
    assert seen == [before] * len(seen), "a reader saw the rollups emptied or half rebuilt"
    assert total() == before
    assert rollup_rows(organization) == recount(organization)


@pytest.mark.django_db(transaction=True)
def test_a_sentiment_card_read_during_a_comment_rollup_rebuild_sees_the_old_figures_whole(make_org):
    from insights.models import SentimentRollup
    from insights.rollups import comment_rollups_rebuild
    from tests.insights.helpers import comment_recount, comment_rollup_rows

    organization, _owner = _shop(make_org)

    def total():
        with tenant_context(organization):
            return sum(SentimentRollup.objects.filter(department=None).values_list("n", flat=True))

    before = total()
    assert before == 30
    with tenant_context(organization):
        seen = _read_during("insights_sentimentrollup", total,
                            lambda: comment_rollups_rebuild(organization=organization))
    assert len(seen) >= 2
    assert seen == [before] * len(seen), "a reader saw the comment rollups emptied or half rebuilt"
    assert comment_rollup_rows(organization) == comment_recount(organization)


# --- Deleting a department ----------------------------------------------------------------------

def _department_with_contacts(organization, survey, name, n):
    from contacts.models import Contact
    from organizations.models import Department

    with tenant_context(organization):
        department = Department.objects.create(organization=organization, name=name)
        contacts = [Contact.objects.create(organization=organization, email=f"{name.lower()}{i}@kunde.dk",
                                           department=department, region="Nord") for i in range(n)]
    add_responses(organization, survey, [{"score": 9, "at": local(dt.date(2025, 3, 4)), "contact": contact}
                                         for contact in contacts])
    return department


def _states(organization):
    from dashboards.models import SegmentRollupState

    with tenant_context(organization):
        return {s.segment.name: s.current for s in SegmentRollupState.objects.select_related("segment")}


def test_deleting_a_department_marks_only_its_segments_stale_without_listing_its_contacts(
        make_org, django_capture_on_commit_callbacks):
    from contacts.models import Segment
    from dashboards.segment_rollups import segment_rollups_build
    from organizations.services import department_delete
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import segment_members, segment_rollup_rows

    organization, owner = make_org("Cykelkæden")
    survey = published(organization, owner, name="Kunder", languages=("da",))
    few = _department_with_contacts(organization, survey, "Few", 3)
    many = _department_with_contacts(organization, survey, "Many", 30)
    with tenant_context(organization):
        segments = {"few": Segment.objects.create(organization=organization, name="few",
                                                  filters={"department": str(few.pk)}),
                    "many": Segment.objects.create(organization=organization, name="many",
                                                   filters={"department": str(many.pk)}),
                    "nord": Segment.objects.create(organization=organization, name="nord",
                                                   filters={"region": "Nord"})}
        for segment in segments.values():
            segment_rollups_build(organization=organization, segment_id=segment.pk)
    assert _states(organization) == {"few": True, "many": True, "nord": True}

    def delete(department):
        from organizations.models import Department

        with (tenant_context(organization), django_capture_on_commit_callbacks(execute=False) as after_commit,
              CaptureQueriesContext(connection) as queries):
            department_delete(department=Department.objects.get(pk=department.pk), by=owner)
        return [q["sql"] for q in queries.captured_queries], after_commit

    few_queries, _ = delete(few)
    assert _states(organization) == {"few": False, "many": True, "nord": True}
    many_queries, after_commit = delete(many)
    assert _states(organization) == {"few": False, "many": False, "nord": True}
    # the same statements for 30 contacts as for 3, none of them listing contacts
    assert [sql for sql in many_queries if "contacts_segment" in sql]
    assert not [sql for sql in many_queries if ID_LIST.search(sql)]
    assert len(many_queries) == len(few_queries)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:  # the builds queued after commit
            callback()
    assert _states(organization)["many"]
    with tenant_context(organization):
        members = segment_members(organization, Segment.objects.get(pk=segments["many"].pk))
    assert members == set()  # its contacts lost the department
    assert segment_rollup_rows(organization, segments["many"]) == recount(organization, members) == {}
    assert segment_rollup_rows(organization, segments["nord"]) == recount(
        organization, segment_members(organization, segments["nord"]))


# --- A slice's recount with many segments --------------------------------------------------------

def test_a_slice_recount_reads_every_segments_members_in_one_query(make_org):
    """The slice's segment rows: one query for the members of every segment (not one each), the
    same statements for six segments as for one, and each segment's rows a recount."""
    from contacts.models import Contact, Segment
    from dashboards.rollups import rollup_refresh
    from dashboards.segment_rollups import segment_rollups_build
    from organizations.models import Department
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import segment_members, segment_rollup_rows

    organization, owner = make_org("Cykelsadlen")
    survey = published(organization, owner, name="Kunder", languages=("da",))
    day = dt.date(2025, 3, 5)
    with tenant_context(organization):
        department = Department.objects.create(organization=organization, name="Butik")
        contacts = [Contact.objects.create(organization=organization, email=f"k{i}@kunde.dk", language="da",
                                           region=("Nord", "Syd")[i % 2], product=("Cargo", "City", "Racer")[i % 3])
                    for i in range(24)]
    add_responses(organization, survey, [
        {"score": i % 11, "at": local(day, hour=8 + i % 12), "contact": contact, "comment": "Fint" if i % 4 else "",
         "department": department if i % 3 else None} for i, contact in enumerate(contacts)])

    def segment(name, filters):
        with tenant_context(organization):
            saved = Segment.objects.create(organization=organization, name=name, filters=filters)
            segment_rollups_build(organization=organization, segment_id=saved.pk)
        return saved

    def refresh():
        with tenant_context(organization), CaptureQueriesContext(connection) as queries:
            rollup_refresh(organization=organization, survey_id=survey.pk, day=day)
        return [q["sql"] for q in queries.captured_queries]

    segments = [segment("Nord", {"region": "Nord"})]
    one = refresh()
    segments += [segment("Syd", {"region": "Syd"}), segment("Cargo", {"product": "cargo"}),
                 segment("Dansk", {"language": "da"}), segment("Vest", {"region": "Vest"}),
                 segment("Butik", {"department": str(department.pk)})]
    six = refresh()
    assert len(six) == len(one), "the recount's queries grew with the number of segments"
    for saved in segments:
        assert segment_rollup_rows(organization, saved) == recount(
            organization, segment_members(organization, saved)), saved.name
    assert segment_rollup_rows(organization, segments[4]) == {}
    nord = segment_rollup_rows(organization, segments[0])
    assert sum(sum(row[:11]) for (_s, _d, key, department), row in nord.items()
               if key == "all" and department is None) == 12  # twelve contacts in Nord, one answer each
