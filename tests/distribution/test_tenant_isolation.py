"""One organization's bad data never stops the others' periodic work (issue 15.2): the minute
tick runs each campaign in its own transaction and keeps a failure on that campaign, reports
and the closed-loop tick go on past a failing subscriber or organization, and every number a
campaign takes through the API or the form has a bound."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from rest_framework.test import APIClient

from distribution.models import Campaign, Invitation
from distribution.services import distribution_tick
from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shops(make_org, published_survey, contacts_in):
    shops = []
    for name in ("Broken ApS", "Healthy AB"):
        organization, owner = make_org(name)
        survey = published_survey(organization, owner, languages=("en",))
        contacts_in(organization, [(f"a@{organization.slug}.dk", "en"), (f"b@{organization.slug}.dk", "en")])
        shops.append((organization, owner, survey))
    return shops


def api_for(organization, owner):
    from organizations.services import api_key_create

    with tenant_context(organization):
        raw, _key = api_key_create(organization=organization, name="t", scope="read_write", by=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("field, value", [
    ("link_valid_days", 3_000_000), ("link_valid_days", 0), ("sample_percent", 101), ("sample_size", 10**9),
    ("trigger_delay_days", 100_000), ("quiet_period_days", 10**6), ("reminder_after_days", 10**6),
    ("sample_size", -1),
])
def test_the_api_and_the_form_refuse_unbounded_numbers(two_shops, member_client, field, value):
    organization, owner, survey = two_shops[0]
    body = {"name": "Q", "survey": survey.pk, "audience": "all", "schedule": "recurring", "every": "month",
            "sample_size": 10, field: value}
    answer = api_for(organization, owner).post("/api/v1/campaigns/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"]
    page = member_client(owner).post(f"/o/{organization.slug}/campaigns/new/", {
        "name": "Q", "survey": survey.pk, "audience": "all", "schedule": "recurring", "every": "month",
        "sample_size": "10", "trigger_delay_days": "7", "link_valid_days": "30", field: str(value)})
    assert page.status_code == 200  # the form again, with the error
    with tenant_context(organization):
        assert not Campaign.objects.exists()


def test_one_broken_campaign_does_not_stop_the_tick_for_everyone(two_shops, campaign_for, smtp_sink,
                                                                 member_client):
    (broken, broken_owner, broken_survey), (healthy, healthy_owner, healthy_survey) = two_shops
    bad = campaign_for(broken, broken_owner, broken_survey)
    good = campaign_for(healthy, healthy_owner, healthy_survey)
    # A value saved before there were bounds (or by any other road): the run overflows.
    Campaign.objects.dangerously_unscoped().filter(pk=bad.pk).update(link_valid_days=3_000_000)

    result = distribution_tick()

    assert result["scheduled"] == 2
    with tenant_context(healthy):
        assert Invitation.objects.filter(campaign=good).count() == 2
        good.refresh_from_db()
        assert good.status == Campaign.Status.FINISHED and good.last_error == ""
    assert {m["To"] for m in smtp_sink.wait_for(2)} == {f"a@{healthy.slug}.dk", f"b@{healthy.slug}.dk"}
    with tenant_context(broken):
        assert not Invitation.objects.filter(campaign=bad).exists()
        bad.refresh_from_db()
    assert "OverflowError" in bad.last_error and bad.last_error_at is not None
    assert bad.status == Campaign.Status.SCHEDULED and bad.next_run_at > bad.last_error_at
    page = member_client(broken_owner).get(f"/o/{broken.slug}/campaigns/{bad.pk}/").content.decode()
    assert "The last run failed" in page and "OverflowError" in page
    # Not again at every tick: it waits its retry time; fixed, it runs and the error is gone.
    assert distribution_tick()["scheduled"] == 0
    Campaign.objects.dangerously_unscoped().filter(pk=bad.pk).update(link_valid_days=30)
    distribution_tick(now=bad.next_run_at + dt.timedelta(seconds=1))
    with tenant_context(broken):
        bad.refresh_from_db()
        assert bad.last_error == "" and Invitation.objects.filter(campaign=bad).count() == 2


def test_a_failing_report_subscriber_does_not_stop_the_others(make_org, add_member, smtp_sink):
    from dashboards.models import ReportSubscription
    from dashboards.reports import reports_send_due
    from organizations.models import User

    organization, owner = make_org("Reports ApS")
    colleague = add_member(organization, "admin", email="colleague@reports.dk")
    # An address no mail server takes (a header injection attempt): that one report fails.
    User.objects.filter(pk=owner.pk).update(email="owner@reports.dk\nBcc: victim@example.com")
    with tenant_context(organization):
        first = ReportSubscription.objects.create(organization=organization, user=owner, every="week",
                                                  query="kind=cnps")
        ReportSubscription.objects.create(organization=organization, user=colleague, every="week",
                                          query="kind=cnps")
        assert first.pk < ReportSubscription.objects.get(user=colleague).pk
        monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo(organization.time_zone))
        assert reports_send_due(organization=organization, now=monday) == 1
    assert [m["To"] for m in smtp_sink.wait_for(1)] == ["colleague@reports.dk"]


def test_the_closed_loop_tick_goes_on_past_a_failing_organization(make_org, settings, monkeypatch):
    """Every periodic task walks organizations through `each_organization`: the first one's
    failure is logged, the second one's work is done."""
    from followups import services, tasks

    first, _ = make_org("First ApS")
    second, _ = make_org("Second AB")
    seen = []

    def remind(*, organization, now):
        seen.append(organization.pk)
        if organization.pk == first.pk:
            raise RuntimeError("this organization's data is broken")
        return {"reminded": 1, "escalated": 0}

    monkeypatch.setattr(services, "cases_remind_and_escalate", remind)
    result = tasks.followups_tick.run()
    assert first.pk in seen and second.pk in seen
    assert result["reminded"] == 1
