"""Scheduled report emails: a member subscribes to a view and gets it once per period."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from dashboards.models import ReportSubscription
from dashboards.reports import reports_send_due
from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_a_member_subscribes_and_gets_the_weekly_report_once(org_a, member_client, smtp_sink):
    organization, owner = org_a
    client = member_client(owner)
    response = client.post(f"/o/{organization.slug}/dashboard/subscribe/",
                           {"every": "week", "query": "kind=cnps&every=month"}, follow=True)
    assert "You will get this view by email: weekly" in response.content.decode()
    with tenant_context(organization):
        assert ReportSubscription.objects.get().query == "kind=cnps&every=month"

    tz = zoneinfo.ZoneInfo(organization.time_zone)
    monday_early = dt.datetime(2026, 11, 23, 7, 30, tzinfo=tz)
    tuesday = dt.datetime(2026, 11, 24, 9, 0, tzinfo=tz)
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=tz)
    with tenant_context(organization):
        assert reports_send_due(organization=organization, now=monday_early) == 0
        assert reports_send_due(organization=organization, now=tuesday) == 0
        assert reports_send_due(organization=organization, now=monday) == 1
        assert reports_send_due(organization=organization, now=monday + dt.timedelta(hours=1)) == 0
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == owner.email
    assert "16.11.–22.11.2026" in message["Subject"]
    assert "from=2026-11-16" in smtp_sink.body(message) and "to=2026-11-22" in smtp_sink.body(message)

    client.post(f"/o/{organization.slug}/dashboard/subscribe/", {"every": "", "query": ""})
    with tenant_context(organization):
        assert not ReportSubscription.objects.exists()


def test_monthly_reports_go_out_on_the_first(org_a, smtp_sink):
    organization, owner = org_a
    with tenant_context(organization):
        ReportSubscription.objects.create(organization=organization, user=owner, every="month")
        tz = zoneinfo.ZoneInfo(organization.time_zone)
        assert reports_send_due(organization=organization, now=dt.datetime(2026, 12, 2, 9, tzinfo=tz)) == 0
        assert reports_send_due(organization=organization, now=dt.datetime(2026, 12, 1, 9, tzinfo=tz)) == 1
    [message] = smtp_sink.wait_for(1)
    assert "01.11.–30.11.2026" in message["Subject"]


@pytest.mark.django_db(transaction=True)
def test_editing_a_contacts_region_moves_their_answers_in_the_region_breakdown(org_a, member_client):
    from contacts.models import Contact
    from dashboards.models import Rollup
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown

    organization, owner = org_a
    from surveys import services as survey_services

    with tenant_context(organization):
        survey = survey_services.survey_create(organization=organization, template="blank", name="S",
                                               default_language="en", by=owner)
        survey_services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
        contact = Contact.objects.create(organization=organization, email="k@x.dk", region="North")
        shown = survey_shown(definition=survey.current_version.definition, language="en", category="promoter")
        response, _ = response_record_public(survey=survey, version=survey.current_version, shown=shown,
                                             channel="link", submission=Submission(score=10))
        from responses.models import Response

        Response.objects.filter(pk=response.pk).update(contact=contact)
        from dashboards.rollups import rollups_rebuild

        rollups_rebuild(organization=organization)
        assert set(Rollup.objects.filter(key__startswith="region:").values_list("key", flat=True)) == {"region:North"}
    member_client(owner).post(f"/o/{organization.slug}/contacts/{contact.pk}/", {
        "email": "k@x.dk", "region": "South", "name": "", "language": "", "product": "", "currency": ""})
    with tenant_context(organization):
        assert set(Rollup.objects.filter(key__startswith="region:").values_list("key", flat=True)) == {"region:South"}
