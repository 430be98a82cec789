"""The taxonomy (seeded on first use, edited by admins: rename, add, merge, deactivate, accept or
dismiss a suggestion), the analysis of comments by the real engine (idempotent, run as answers
arrive), the backfill command, and the comment explorer's theme and sentiment filters."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from nps_platform.tenancy import tenant_context
from tests.insights.conftest import PERIOD


def test_taxonomy_is_seeded_once_from_the_starter_set(small):
    from insights import analysis
    from insights.models import Theme, ThemeExample
    from insights.services import taxonomy_ensure

    with tenant_context(small.organization):
        taxonomy_ensure(organization=small.organization)  # the fixture seeded it already
        assert set(Theme.objects.values_list("key", flat=True)) == {s.key for s in analysis.starter_taxonomy()}
        delivery = Theme.objects.get(key="delivery")
        assert delivery.label("da") == next(s for s in analysis.starter_taxonomy() if s.key == "delivery").names["da"]
        assert ThemeExample.objects.filter(theme=delivery).exists()


def test_real_answer_is_analysed_as_it_arrives_and_twice_is_harmless(small, django_capture_on_commit_callbacks):
    """A comment saved through the respondent's path is analysed by the task (eager here) with the
    real engine; running the analysis again keeps the same row."""
    from insights.models import CommentAnalysis
    from insights.services import comment_analyse
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown

    organization, survey = small.organization, small.cnps
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        shown = survey_shown(definition=survey.current_version.definition, language="da", category="detractor")
        key = next(q["key"] for q in survey.current_version.definition["questions"] if q.get("type") == "text")
        response, _ = response_record_public(
            survey=survey, version=survey.current_version, shown=shown, channel="link",
            submission=Submission(score=2, answers={key: "Leveringen var alt for sen, pakken kom aldrig"}))
    with tenant_context(organization):
        analysis = CommentAnalysis.objects.get(response=response)
        assert analysis.sentiment == "negative"
        assert "delivery" in set(analysis.themes.values_list("key", flat=True))
        first = (analysis.pk, analysis.analysed_at)
        assert comment_analyse(organization=organization, response_id=response.pk) == 0  # nothing changed
        again = CommentAnalysis.objects.get(response=response)
        assert (again.pk, again.analysed_at) == first


def test_backfill_analyses_every_comment_and_shows_progress(small, make_org):
    from insights.models import CommentAnalysis
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import add_responses, local

    other, owner = make_org("Andet Firma")
    survey = published(other, owner, name="Kunder", languages=("en",))
    import datetime as dt

    add_responses(other, survey, [{"score": 9, "at": local(dt.date(2025, 3, 4)), "comment": "Friendly staff"},
                                  {"score": 3, "at": local(dt.date(2025, 3, 4)), "comment": "Too expensive"}])
    out = io.StringIO()
    call_command("comments_backfill", org=other.slug, stdout=out)
    assert f"{other.slug}: 2/2" in out.getvalue()
    assert f"{other.slug}: 2 comments analysed" in out.getvalue()
    with tenant_context(other):
        assert CommentAnalysis.objects.count() == 2
    with tenant_context(small.organization):  # the other tenant's fixture rows were left alone
        assert set(CommentAnalysis.objects.values_list("engine", flat=True)) == {"fixture"}
    out = io.StringIO()
    call_command("comments_backfill", org=other.slug, stdout=out)
    assert f"{other.slug}: 0 comments analysed" in out.getvalue()


@pytest.fixture
def admin_client(small, member_client):
    return member_client(small.owner)


def test_admin_renames_adds_merges_and_deactivates(small, admin_client):
    from insights.models import CommentTheme, Theme, ThemeExample

    base = f"/o/{small.slug}/insights/themes/"
    with tenant_context(small.organization):
        delivery, communication = Theme.objects.get(key="delivery"), Theme.objects.get(key="communication")
    # rename (in the admin's language) and change the examples
    response = admin_client.post(f"{base}{delivery.pk}/", {"name": "Fragt", "examples": "pakken kom sent\nlevering"},
                                 HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 302
    # add a theme with examples in two languages
    response = admin_client.post(base, {"name": "Parkering", "examples": "svært at parkere\nno parking"})
    assert response.status_code == 302
    with tenant_context(small.organization):
        delivery.refresh_from_db()
        assert delivery.name == "Fragt"
        assert set(ThemeExample.objects.filter(theme=delivery).values_list("text", flat=True)) == {
            "pakken kom sent", "levering"}
        parking = Theme.objects.get(name="Parkering")
        assert parking.active and set(parking.examples.values_list("text", flat=True)) == {
            "svært at parkere", "no parking"}
        assert CommentTheme.objects.filter(theme=communication).count() == 1
    page = admin_client.get(base).content.decode()
    assert "Fragt" in page and "Parkering" in page
    # merge communication into delivery: its comment counts for delivery at once
    response = admin_client.post(f"{base}{communication.pk}/merge/", {"into": delivery.pk})
    assert response.status_code == 302
    with tenant_context(small.organization):
        communication.refresh_from_db()
        assert not communication.active and communication.merged_into_id == delivery.pk
        assert not CommentTheme.objects.filter(theme=communication).exists()
    # deactivate
    admin_client.post(f"{base}{parking.pk}/", {"action": "deactivate"})
    with tenant_context(small.organization):
        parking.refresh_from_db()
        assert not parking.active


def test_suggestion_accepted_becomes_a_theme_and_dismissed_stays_away(small, admin_client):
    from insights.models import Theme, ThemeSuggestion

    with tenant_context(small.organization):
        accept = ThemeSuggestion.objects.create(organization=small.organization, fingerprint="a" * 64,
                                                key_phrases=["parkering", "p-plads"], examples=["Ingen p-plads"],
                                                size=4)
        dismiss = ThemeSuggestion.objects.create(organization=small.organization, fingerprint="b" * 64,
                                                 key_phrases=["musik"], examples=["For høj musik"], size=2)
    page = admin_client.get(f"/o/{small.slug}/insights/themes/").content.decode()
    assert "parkering, p-plads" in page and "musik" in page
    admin_client.post(f"/o/{small.slug}/insights/suggestions/{accept.pk}/accept/", {"name": "Parkering"})
    admin_client.post(f"/o/{small.slug}/insights/suggestions/{dismiss.pk}/dismiss/")
    with tenant_context(small.organization):
        theme = Theme.objects.get(name="Parkering")
        assert {"parkering", "p-plads"} <= set(theme.examples.values_list("text", flat=True))
        accept.refresh_from_db()
        dismiss.refresh_from_db()
        assert (accept.status, accept.theme_id, dismiss.status) == ("accepted", theme.pk, "dismissed")
    page = admin_client.get(f"/o/{small.slug}/insights/themes/").content.decode()
    assert "For høj musik" not in page
    # accepting twice: the suggestion is no longer open
    assert admin_client.post(f"/o/{small.slug}/insights/suggestions/{accept.pk}/accept/").status_code == 404


def test_taxonomy_is_for_admins_only(small, add_member, member_client):
    viewer = add_member(small.organization, "viewer")
    client = member_client(viewer)
    assert client.get(f"/o/{small.slug}/insights/themes/").status_code == 403
    assert client.get(f"/o/{small.slug}/dashboard/drivers/?{PERIOD}").status_code == 200


def test_explorer_filters_by_theme_and_sentiment(small, admin_client):
    url = f"/o/{small.slug}/dashboard/comments/?{PERIOD}"
    html = admin_client.get(url + "&theme=delivery").content.decode()
    assert "Aldrig leveret" in html and "Great staff" not in html
    html = admin_client.get(url + "&sentiment=positive").content.decode()
    assert "Great staff" in html and "Aldrig leveret" not in html and "Okay" not in html
    html = admin_client.get(url + "&sentiment=neutral&theme=delivery").content.decode()
    assert "Leveringen tog lidt tid" in html and "Aldrig leveret" not in html
    assert 'data-sentiment="negative"' in admin_client.get(url).content.decode()
    for odd in ("&theme=%27%3B--", "&sentiment=x" * 3, "&theme=" + "x" * 500):
        assert admin_client.get(url + odd).status_code == 200


def test_sentiment_on_the_dashboard_and_responses(small, admin_client):
    html = admin_client.get(f"/o/{small.slug}/dashboard/?{PERIOD}").content.decode()
    assert 'id="sentiment-card"' in html and "40 %" in html
    html = admin_client.get(f"/o/{small.slug}/responses/").content.decode()
    assert 'data-sentiment="negative"' in html and 'data-theme="delivery"' in html


def test_the_case_page_shows_the_comments_sentiment_and_themes(small, admin_client):
    from followups.models import Case
    from followups.services import response_follow_up, rules_ensure_defaults

    detractor = small.responses[9]  # 0, "Aldrig leveret": negative, delivery
    with tenant_context(small.organization):
        rules_ensure_defaults(organization=small.organization)
        detractor.refresh_from_db()
        response_follow_up(response=detractor)
        case = Case.objects.get(response=detractor)
    html = admin_client.get(f"/o/{small.slug}/followup/cases/{case.pk}/").content.decode()
    insight = html.split('id="case-insight"', 1)[1].split("</p>", 1)[0]
    assert 'data-sentiment="negative"' in insight and 'data-theme="delivery"' in insight


def test_a_new_theme_is_found_in_the_comments_after_the_reanalysis(small, admin_client,
                                                                   django_capture_on_commit_callbacks):
    """Adding a theme queues the organization's re-analysis (run inline here): a comment that
    says it in other words now carries it."""
    import datetime as dt

    from insights.models import CommentAnalysis
    from tests.dashboards.helpers import add_responses, local

    [parking] = add_responses(small.organization, small.cnps, [
        {"score": 4, "at": local(dt.date(2025, 3, 5)), "comment": "Der var ingen steder at parkere bilen",
         "language": "da"}])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/o/{small.slug}/insights/themes/",
                          {"name": "Parkering", "examples": "svært at parkere\ningen parkeringspladser\nparkering"})
    with tenant_context(small.organization):
        analysis = CommentAnalysis.objects.get(response=parking)
        assert "parkering" in set(analysis.themes.values_list("key", flat=True))
        assert analysis.engine != "fixture"
