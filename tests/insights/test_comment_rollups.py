"""The comment rollups (`insights.rollups`) always equal a recount of the answers and their
analyses: after answers, analyses, changes, emptied comments and deletions made through the
product's own paths, after a theme merge and a backfill, after `comment_rollups_rebuild`, and as
`bench_data` writes them. The sentiment card and the drivers read them under every filter and
reader's scope exactly as a GROUP BY over the reader's answers counts; one tenant's rows never
reach another."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.insights.helpers import comment_recount, comment_rollup_rows


@pytest.mark.django_db(transaction=True)
def test_bench_data_comment_rollups_equal_a_recount_and_a_rebuild():
    from insights.models import CommentAnalysis, CommentTheme
    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization
    from responses.models import Response

    call_command("bench_data", slug="bench-test", responses=1500, days=20, stdout=io.StringIO())
    organization = Organization.objects.get(slug="bench-test")
    built = comment_rollup_rows(organization)
    expected = comment_recount(organization)
    assert built == expected
    with tenant_context(organization):
        commented = Response.objects.exclude(comment="").count()
        analysed = CommentAnalysis.objects.count()
        assert 0.55 * commented < analysed < 0.75 * commented  # about 65 %
        # the sentiment follows the score, mostly
        agree = CommentAnalysis.objects.filter(response__category="promoter", sentiment="positive").count()
        assert agree > 0.8 * CommentAnalysis.objects.filter(response__category="promoter").count()
        assert CommentTheme.objects.count() > analysed  # one theme each, a second for some
    assert any(department is not None for (_s, _d, department, _c, _x) in built[0])
    assert any(sentiment == "" for (_s, _d, _department, _c, sentiment) in built[0])  # not analysed
    out = io.StringIO()
    call_command("comment_rollups_rebuild", org="bench-test", stdout=out)
    assert out.getvalue().startswith("bench-test: ")
    assert comment_rollup_rows(organization) == expected


# --- Through the product's own paths ------------------------------------------------------------

import datetime as dt  # noqa: E402
import zoneinfo  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nps_platform.tenancy import tenant_context  # noqa: E402
from tests.dashboards.helpers import local  # noqa: E402
from tests.dashboards.test_rollups import Shop, _shown, first_days, minutes  # noqa: E402
from tests.distribution.conftest import published_survey  # noqa: E402, F401

COMMENTS = ["", "", "Leveringen var alt for sen", "Søde og hjælpsomme medarbejdere", "Too expensive for what it is",
            "Fint nok", "Great staff but the delivery took three weeks"]


@pytest.fixture
def lexicon():
    """The engine without its embedding model (the same decisions from the lexicons, in a
    fraction of the time): what is stored is what matters here, not how well it reads."""
    from insights.analysis import embedder

    embedder.set_enabled(False)
    yield
    embedder.set_enabled(None)


class CommentShop(Shop):
    def rewrite(self, response, comment: str):
        """The same respondent submits again with another comment (or none)."""
        from responses.models import Response
        from responses.services import Submission, response_record, response_record_public

        with tenant_context(self.organization), self.commit():
            response = Response.objects.get(pk=response.pk)
            survey = response.survey
            survey.refresh_from_db()
            answers = {k: v for k, v in response.answers.items() if k != "reason"}
            if comment:
                answers["reason"] = comment
            shown = _shown(survey, response.language, response.score)
            submission = Submission(score=response.score, answers=answers)
            if response.pk in self.invitations:
                response_record(invitation=self.invitations[response.pk], version=survey.current_version,
                                shown=shown, submission=submission)
            else:
                response_record_public(survey=survey, version=survey.current_version, shown=shown,
                                       submission=submission, channel=response.channel, previous=response)


answer = st.fixed_dictionaries({
    "survey": st.sampled_from([0, 0, 1]),
    "score": st.integers(min_value=0, max_value=10),
    "day": st.integers(min_value=0, max_value=3),
    "minute": minutes,
    "channel": st.sampled_from(["link", "qr"]),
    "language": st.sampled_from(["en", "da"]),
    "department": st.one_of(st.none(), st.integers(min_value=0, max_value=2)),
    "employee": st.none(),
    "contact": st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=3)),
    "source": st.just(""),
    "comment": st.sampled_from(COMMENTS),
})
edit = st.tuples(st.integers(min_value=0, max_value=7), st.sampled_from(["score", "comment"]),
                 st.integers(min_value=0, max_value=10), st.sampled_from(COMMENTS),
                 st.one_of(st.none(), st.integers(min_value=0, max_value=2)))


@pytest.mark.django_db(transaction=True)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(first_day=first_days, answers=st.lists(answer, min_size=1, max_size=8),
       edits=st.lists(edit, max_size=4), deletions=st.lists(st.integers(min_value=0, max_value=7), max_size=3,
                                                            unique=True))
def test_comment_rollups_equal_a_recount_after_analyses_changes_merges_and_a_backfill(
        make_org, published_survey, lexicon, first_day, answers, edits, deletions):  # noqa: F811
    """Answers arrive (each comment analysed by the task, eager here), change score, department
    or comment (emptied, too), are deleted; a theme is merged into another; the organization is
    analysed again after its taxonomy changes (the backfill); the command rebuilds: after each,
    the rollups are a recount."""
    from insights.models import CommentAnalysis, Theme
    from insights.services import comments_analyse, taxonomy_ensure, theme_merge

    shop = CommentShop(make_org, published_survey)
    given_responses = []
    for spec in answers:
        day = first_day + dt.timedelta(days=spec["day"])
        at = local(day).replace(hour=spec["minute"] // 60, minute=spec["minute"] % 60)
        given_responses.append(shop.give(spec, at))
    with tenant_context(shop.organization):
        assert CommentAnalysis.objects.count() == sum(1 for spec in answers if spec["comment"])
    assert comment_rollup_rows(shop.organization) == comment_recount(shop.organization)

    for index, what, score, comment, department in edits:
        if index < len(given_responses):
            if what == "score":
                shop.change(given_responses[index], score, department, department_alone=True)
            else:
                shop.rewrite(given_responses[index], comment)
    for index in deletions:
        if index < len(given_responses):
            shop.delete(given_responses[index])
    expected = comment_recount(shop.organization)
    assert comment_rollup_rows(shop.organization) == expected

    with tenant_context(shop.organization):
        taxonomy_ensure(organization=shop.organization)  # (seeded by the first analysis, if any)
        staff, delivery = Theme.objects.get(key="staff"), Theme.objects.get(key="delivery")
        theme_merge(theme=delivery, into=staff, by=shop.owner)  # the re-analysis follows, eager here
        assert comment_rollup_rows(shop.organization) == comment_recount(shop.organization)
        assert not Theme.objects.get(key="delivery").active
        # the backfill: everything analysed again from nothing
        CommentAnalysis.objects.all().delete()
        comments_analyse(organization=shop.organization)
    expected = comment_recount(shop.organization)
    assert comment_rollup_rows(shop.organization) == expected
    call_command("comment_rollups_rebuild", org=shop.organization.slug, stdout=io.StringIO())
    assert comment_rollup_rows(shop.organization) == expected



# --- Every reader and filter: the rollups count what a GROUP BY over the reader's answers does ---

def _analysed_world():
    """The dashboards' known data set, every comment analysed as a rule says (by score and by
    position), each analysis written as the product writes one (its slice recounted)."""
    from insights.rollups import comment_rollup_refresh
    from responses.models import Response
    from tests.dashboards.conftest import build_world
    from tests.insights.conftest import analyse_as

    world = build_world(f"Rollup world {dt.datetime.now().timestamp()}")
    with tenant_context(world.organization):
        commented = list(Response.objects.exclude(comment="").order_by("pk"))
    for i, response in enumerate(commented):
        sentiment = ("positive" if response.score >= 9 else "neutral" if response.score >= 7 else "negative")
        if i % 5 == 4:
            sentiment = "neutral"
        keys = [["delivery"], ["staff", "price"], [], ["quality"], ["delivery", "communication"]][i % 5]
        if i % 7 != 6:
            analyse_as(world.organization, response, sentiment, keys)
        else:  # one in seven the engine failed on: the task recounted its slice all the same
            with tenant_context(world.organization):
                day = response.created_at.astimezone(zoneinfo.ZoneInfo(world.organization.time_zone)).date()
                comment_rollup_refresh(organization=world.organization, survey_id=response.survey_id, day=day)
    return world


def _figures_both_ways(board):
    from insights.selectors import _rollup_figures, _segment_figures

    def plain(figures):
        return (figures.categories, figures.commented, figures.sentiments,
                {t: dict(c) for t, c in figures.mentions.items()},
                {t: {w: dict(c) for w, c in weeks.items()} for t, weeks in figures.weekly.items()},
                figures.mentioned)

    return plain(_rollup_figures(board)), plain(_segment_figures(board))


@pytest.mark.django_db
def test_card_and_drivers_from_rollups_equal_the_readers_answers_under_every_filter(add_member):
    from django.http import QueryDict

    from dashboards.selectors import dashboard_for
    from insights.selectors import drivers, sentiment_summary
    from organizations import access
    from organizations.models import Membership
    from tests.dashboards.conftest import END, PERIOD, START

    world = _analysed_world()
    d, organization = world.departments, world.organization
    with tenant_context(organization):
        readers = {"owner": Membership.objects.get(organization=organization, user=world.owner)}
        for name, role, departments in (("viewer", "viewer", ()), ("sales", "manager", (d["sales"],)),
                                        ("north", "manager", (d["north"],)), ("support", "manager", (d["support"],))):
            membership = Membership.objects.get(user=add_member(organization, role,
                                                                email=f"{name}-{organization.slug}@example.com"))
            membership.departments.set(departments)
            readers[name] = membership
        queries = ["from=2000-01-01", PERIOD, f"from={START}&to={START + dt.timedelta(days=6)}",
                   f"from={START + dt.timedelta(days=3)}&to={END + dt.timedelta(days=3)}", f"{PERIOD}&every=month",
                   f"{PERIOD}&department={d['sales'].pk}", f"{PERIOD}&department={d['north'].pk}",
                   f"{PERIOD}&department={d['support'].pk}", f"{PERIOD}&survey={world.relationship.pk}",
                   f"{PERIOD}&survey={world.workshop.pk}", f"{PERIOD}&kind=cnps",
                   f"{PERIOD}&survey={world.workshop.pk}&department={d['sales'].pk}", ""]
        seen = set()
        for name, membership in readers.items():
            actor = access.actor_for(membership)
            for query in queries:
                board = dashboard_for(actor=actor, params=QueryDict(query))
                from_rollups, from_answers = _figures_both_ways(board)
                assert from_rollups == from_answers, (name, query)
                seen.add(sum(from_rollups[1].values()))
                # the card and the drivers page read the same figures
                summary = sentiment_summary(dashboard_for(actor=actor, params=QueryDict(query)))
                assert summary["total"] == sum(from_answers[2].values()), (name, query)
                assert drivers(board)["comments"] == sum(from_answers[1].values())
        assert len(seen) > 5  # the filters and scopes made a difference
        # a manager of Sales filtering on Support sees nothing at all
        board = dashboard_for(actor=access.actor_for(readers["sales"]),
                              params=QueryDict(f"{PERIOD}&department={d['support'].pk}"))
        assert sentiment_summary(board)["total"] == 0 and drivers(board)["themes"] == []


@pytest.mark.django_db
def test_a_segments_card_counts_its_own_contacts_comments():
    """A segment has no rollups: its card and drivers count its answers' analyses in SQL."""
    from django.http import QueryDict

    from contacts.models import Segment
    from dashboards.selectors import dashboard_for
    from insights.models import CommentAnalysis
    from insights.selectors import drivers, sentiment_summary
    from organizations import access
    from organizations.models import Membership
    from responses.models import Response
    from tests.dashboards.conftest import PERIOD

    world = _analysed_world()
    organization = world.organization
    with tenant_context(organization):
        segment = Segment.objects.create(organization=organization, name="Nord", filters={"region": "Nord"})
        expected = {}
        for analysis in CommentAnalysis.objects.filter(response__contact=world.contacts["karen"]):
            expected[analysis.sentiment] = expected.get(analysis.sentiment, 0) + 1
        actor = access.actor_for(Membership.objects.get(organization=organization, user=world.owner))
        board = dashboard_for(actor=actor, params=QueryDict(f"{PERIOD}&segment={segment.pk}"))
        assert board.raw
        summary = sentiment_summary(board)
        assert {r["sentiment"]: r["n"] for r in summary["rows"] if r["n"]} == expected
        assert sum(expected.values()) >= 2  # (all of Karen's answers are in the period)
        assert drivers(board)["comments"] == Response.objects.filter(contact=world.contacts["karen"]).exclude(
            comment="").count()


# --- What a reader sees, and tenancy -------------------------------------------------------------

def _card(client, small, query):
    import re

    from tests.dashboards.helpers import by_id, html_of

    page = client.get(f"/o/{small.slug}/dashboard/?{query}")
    assert page.status_code == 200
    card = by_id(html_of(page), "sentiment-card")
    return {s: int(n) for s, n in re.findall(r'data-sentiment="(\w+)">.*?\((\d+)\)', card, re.S)}


def test_the_card_follows_an_answer_as_it_is_analysed_and_deleted(small, member_client, lexicon,
                                                                   django_capture_on_commit_callbacks):
    from responses.models import Response
    from responses.services import Submission, response_delete, response_record_public
    from surveys.presentation import survey_shown
    from tests.insights.conftest import PERIOD

    client = member_client(small.owner)
    assert _card(client, small, PERIOD) == {"positive": 3, "neutral": 3, "negative": 4}
    organization, survey = small.organization, small.cnps
    key = next(q["key"] for q in survey.current_version.definition["questions"] if q.get("type") == "text")
    today = f"from={dt.date.today() - dt.timedelta(days=1)}&to={dt.date.today() + dt.timedelta(days=1)}"
    assert _card(client, small, today) == {}
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        shown = survey_shown(definition=survey.current_version.definition, language="da", category="detractor")
        response, _ = response_record_public(
            survey=survey, version=survey.current_version, shown=shown, channel="link",
            submission=Submission(score=1, answers={key: "Elendig service, ingen svarede og pakken kom aldrig"}))
    assert sum(_card(client, small, today).values()) == 1  # analysed by the task and counted at once
    assert sum(_card(client, small, PERIOD).values()) == 10  # another period: unchanged
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        response_delete(response=Response.objects.get(pk=response.pk))
    assert _card(client, small, today) == {}


def test_one_tenants_comment_rollups_never_reach_another(small, make_org):
    from insights.models import SentimentRollup
    from insights.rollups import comment_rollups_rebuild
    from insights.selectors import sentiment_summary
    from insights.tasks import comment_rollup_refresh
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import add_responses
    from tests.insights.conftest import PERIOD, WEEK1, analyse_as
    from tests.insights.test_drivers import _board

    other, owner = make_org("Andet Cykelhus")
    survey = published(other, owner, name="Kunder", languages=("da",))
    answers = add_responses(other, survey, [{"score": 0, "at": local(WEEK1), "comment": f"Dårligt {i}"}
                                            for i in range(3)])
    for response in answers:
        analyse_as(other, response, "negative", ["price"])
    others = comment_rollup_rows(other)
    assert sum(others[0].values()) == 3  # three answers, organization-wide (they have no department)
    with tenant_context(small.organization):
        assert sentiment_summary(_board(small.organization))["total"] == 10
        comment_rollups_rebuild(organization=small.organization)
    # a recount queued with one organization's id and another's survey writes and removes nothing
    assert comment_rollup_refresh.delay(organization_id=small.organization.pk, survey_id=survey.pk,
                                        day=WEEK1.isoformat()).get() == 0
    assert comment_rollup_rows(other) == others
    with tenant_context(small.organization):
        assert not SentimentRollup.objects.filter(survey=survey).exists()
        assert sentiment_summary(_board(small.organization))["total"] == 10
    with tenant_context(other):
        assert sentiment_summary(_board(other, PERIOD))["total"] == 3
    call_command("comment_rollups_rebuild", org=small.slug, stdout=io.StringIO())
    assert comment_rollup_rows(other) == others


@pytest.mark.django_db
def test_a_segments_comment_rollups_equal_its_answers_and_follow_its_members(add_member,
                                                                            django_capture_on_commit_callbacks):
    """A saved segment gets comment rollups of its own (built when it is saved); they count what
    a GROUP BY over the segment's answers does, for every reader and filter; a contact edit that
    moves someone in makes them stale in its own transaction (the pages count the answers
    meanwhile) and rebuilds them after commit; a new analysis of a member's answer recounts its
    slice for the segment too."""
    from django.http import QueryDict

    from contacts.services import contact_save, segment_save
    from dashboards.rollups import rollup_refresh
    from dashboards.selectors import dashboard_for
    from insights.rollups import segment_comment_rollups_current
    from insights.selectors import _from_rollups
    from organizations import access
    from organizations.models import Membership
    from tests.dashboards.conftest import PERIOD
    from tests.dashboards.helpers import add_responses
    from tests.insights.conftest import analyse_as

    world = _analysed_world()
    organization, d = world.organization, world.departments
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        segment = segment_save(organization=organization, name="Nord", filters={"region": "Nord"}, by=world.owner)
    with tenant_context(organization):
        manager = Membership.objects.get(user=add_member(organization, "manager", email=f"m-{organization.slug}@x.dk"))
        manager.departments.set([d["sales"]])
        readers = [access.actor_for(Membership.objects.get(organization=organization, user=world.owner)),
                   access.actor_for(manager)]

        def check(expect_rollups=True):
            totals = set()
            for actor in readers:
                for query in (PERIOD, "from=2000-01-01", f"{PERIOD}&department={d['sales'].pk}",
                              f"{PERIOD}&survey={world.relationship.pk}", f"{PERIOD}&every=month"):
                    board = dashboard_for(actor=actor, params=QueryDict(f"{query}&segment={segment.pk}"))
                    assert _from_rollups(board) is expect_rollups
                    from_rollups, from_answers = _figures_both_ways(board)
                    assert from_rollups == from_answers, query
                    totals.add(sum(from_answers[1].values()))
            return totals

        assert segment_comment_rollups_current(organization=organization, segment_id=segment.pk)
        before = check()
        assert max(before) > 0
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        sven = world.contacts["sven"]
        sven.region = "Nord"
        contact_save(contact=sven, by=world.owner)
        assert not segment_comment_rollups_current(organization=organization, segment_id=segment.pk)
    with tenant_context(organization):
        assert segment_comment_rollups_current(organization=organization, segment_id=segment.pk)  # rebuilt
        after = check()
        assert max(after) > max(before)  # Sven's comments count now
        # a new comment from Karen, analysed: its slice is recounted for the segment as well
        new = add_responses(organization, world.relationship, [
            {"score": 2, "at": local(dt.date(2025, 3, 5)), "comment": "Ny klage", "contact": world.contacts["karen"],
             "department": d["north"]}])
        rollup_refresh(organization=organization, survey_id=world.relationship.pk, day=dt.date(2025, 3, 5))
        analyse_as(organization, new[0], "negative", ["price"])
        assert max(check()) == max(after) + 1
