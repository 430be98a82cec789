"""Campaign rules without a worker (tasks run inline): quiet period, suppression and one-click
unsubscribe, retries, a send interrupted mid-way, rolling samples, triggered events, the
campaign page and its cross-tenant twins."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts.models import Contact, Suppression
from distribution.models import Campaign, EmailSend, Invitation
from distribution.services import distribution_tick, sends_enqueue_due
from nps_platform.tenancy import tenant_context

from .conftest import links_in, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_with_survey(make_org, published_survey):
    organization, owner = make_org("Cykelmageren ApS")
    return organization, owner, published_survey(organization, owner)


def invitations(organization, **filters):
    with tenant_context(organization):
        return list(Invitation.objects.filter(**filters).order_by("email"))


def test_quiet_period_spans_all_surveys_and_can_be_overridden(org_with_survey, published_survey, contacts_in,
                                                              campaign_for, smtp_sink):
    organization, owner, survey = org_with_survey
    other_survey = published_survey(organization, owner, name="Workshop visits")
    contacts_in(organization, [("a@x.dk", "da"), ("b@x.dk", "da")])
    campaign_for(organization, owner, survey)
    distribution_tick()
    assert len(smtp_sink.wait_for(2)) == 2

    # Another survey a month later: both were asked within the 90-day quiet period.
    with tenant_context(organization):
        Contact.objects.create(organization=organization, email="new@x.dk", language="da")
    campaign_for(organization, owner, other_survey)
    distribution_tick()
    assert [i.email for i in invitations(organization, survey=other_survey)] == ["new@x.dk"]

    # A campaign may set its own quiet period (0 days: ask everyone now).
    campaign_for(organization, owner, other_survey, quiet_period_days=0)
    distribution_tick()
    assert len(invitations(organization, survey=other_survey)) == 1 + 3


def test_suppressed_addresses_are_never_emailed(org_with_survey, contacts_in, campaign_for, smtp_sink):
    from contacts.services import suppression_add

    organization, owner, survey = org_with_survey
    contacts_in(organization, [("keep@x.dk", "da"), ("gone@x.dk", "da")])
    with tenant_context(organization):
        suppression_add(organization=organization, email="GONE@x.dk", reason="bounced")
    campaign_for(organization, owner, survey)
    distribution_tick()
    assert [m["To"] for m in smtp_sink.wait_for(1)] == ["keep@x.dk"]


def test_a_tick_hands_out_a_big_campaign_in_slices_and_each_person_gets_one_email(
        org_with_survey, contacts_in, campaign_for, smtp_sink, monkeypatch):
    from distribution.services import tick as services

    monkeypatch.setattr(services, "CLAIM_SLICE", 3)  # seven people: slices of 3, 3 and 1
    organization, owner, survey = org_with_survey
    people = [(f"p{i}@x.dk", "da") for i in range(7)]
    contacts_in(organization, people)
    campaign_for(organization, owner, survey)
    assert distribution_tick()["enqueued"] == 7
    assert sorted(str(m["To"]) for m in smtp_sink.wait_for(7)) == sorted(email for email, _ in people)
    assert distribution_tick()["enqueued"] == 0  # nothing handed out twice
    assert len(smtp_sink.wait_for(8, timeout=1)) == 7
    assert len(invitations(organization, status=Invitation.Status.SENT)) == 7


def test_one_click_unsubscribe_takes_effect_at_once(org_with_survey, contacts_in, campaign_for, smtp_sink, client):
    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da")])
    campaign = campaign_for(organization, owner, survey)
    distribution_tick()
    message = smtp_sink.wait_for(1)[0]
    url = message["List-Unsubscribe"].strip().strip("<>")

    # The footer link (a GET, as a mail scanner would follow it) asks first and changes nothing.
    page = client.get(path_of(url))
    assert page.status_code == 200 and "Afmeld" in page.content.decode()
    with tenant_context(organization):
        assert not Suppression.objects.exists()

    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with tenant_context(organization):
        assert Suppression.objects.get().email == "a@x.dk"
        # A second survey to the same person, scheduled already, is cancelled.
        campaign.refresh_from_db()
    campaign_for(organization, owner, survey, quiet_period_days=0)
    distribution_tick()
    assert len(smtp_sink.wait_for(2, timeout=2)) == 1


def test_smtp_failure_retries_with_backoff_then_shows_on_the_campaign_page(
        org_with_survey, contacts_in, campaign_for, smtp_sink, settings, member_client):
    from tests.conftest import free_port

    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da")])
    campaign = campaign_for(organization, owner, survey)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: a real connection refusal
    now = timezone.now()
    distribution_tick(now=now)
    with tenant_context(organization):
        send = EmailSend.objects.get()
    assert send.status == EmailSend.Status.RETRY and send.attempts == 1
    assert send.next_attempt_at > timezone.now()
    page = member_client(owner).get(f"/o/{organization.slug}/campaigns/{campaign.pk}/").content.decode()
    assert "Delivery problems" in page and "ConnectionRefusedError" in page

    # The mail server is back; the retry goes out when its time comes, once.
    settings.EMAIL_PORT = working_port
    sends_enqueue_due(now=now)  # not yet due
    assert smtp_sink.wait_for(1, timeout=1) == []
    sends_enqueue_due(now=send.next_attempt_at + dt.timedelta(seconds=1))
    assert [m["To"] for m in smtp_sink.wait_for(1)] == ["a@x.dk"]
    with tenant_context(organization):
        send.refresh_from_db()
        assert (send.status, send.attempts) == (EmailSend.Status.SENT, 2)
        assert Invitation.objects.get().status == Invitation.Status.SENT


def test_gives_up_after_five_attempts(org_with_survey, contacts_in, campaign_for, settings, smtp_sink):
    from tests.conftest import free_port

    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da")])
    campaign_for(organization, owner, survey)
    settings.EMAIL_PORT = free_port()
    distribution_tick()
    for _ in range(6):
        sends_enqueue_due(now=timezone.now() + dt.timedelta(days=1))
    with tenant_context(organization):
        send = EmailSend.objects.get()
        assert (send.status, send.attempts) == (EmailSend.Status.FAILED, 5)
        assert Invitation.objects.get().status == Invitation.Status.FAILED


def test_a_send_interrupted_mid_way_is_sent_again_and_flagged(org_with_survey, contacts_in, campaign_for, smtp_sink,
                                                              member_client):
    """A worker killed after claiming a message may or may not have handed it to the mail
    server: once its lease has run out (no renewal), the message is sent again and shown as
    "may have been sent twice"; a live worker's claim (its lease renewed) is left alone."""
    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da")])
    campaign = campaign_for(organization, owner, survey)
    from distribution.services import campaigns_run_due

    campaigns_run_due()
    with tenant_context(organization):
        invitation = Invitation.objects.get()
        EmailSend.objects.create(organization=organization, invitation=invitation, kind="invitation",
                                 status=EmailSend.Status.SENDING, attempts=1)  # the dead worker's claim
        Invitation.objects.filter(pk=invitation.pk).update(enqueued_at=timezone.now())  # its lease, fresh
    sends_enqueue_due()
    assert smtp_sink.wait_for(1, timeout=1) == []  # within the lease: the worker may still be at it
    sends_enqueue_due(now=timezone.now() + dt.timedelta(seconds=61))
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "a@x.dk"
    with tenant_context(organization):
        send = EmailSend.objects.get()
        assert (send.status, send.attempts, send.maybe_duplicate) == (EmailSend.Status.SENT, 2, True)
        assert Invitation.objects.get().status == Invitation.Status.SENT
    page = member_client(owner).get(f"/o/{organization.slug}/campaigns/{campaign.pk}/").content.decode()
    assert "1 may have been sent twice" in page
    assert "a@x.dk · Invitation · Sent (2×): may have been sent twice (the worker stopped while sending it" in page
    assert smtp_sink.wait_for(2, timeout=1) == [message]  # and only once more


def test_recurring_campaign_sends_a_rolling_sample_on_weekday_mornings(org_with_survey, contacts_in, campaign_for):
    organization, owner, survey = org_with_survey
    contacts_in(organization, [(f"c{i}@x.dk", "da") for i in range(40)])
    campaign = campaign_for(organization, owner, survey, schedule="recurring", every="month", sample_size=10)
    today = timezone.now()
    monday = (today + dt.timedelta(days=7 - today.weekday())).replace(hour=6, minute=0, second=0, microsecond=0)
    distribution_tick(now=monday)
    first = invitations(organization)
    assert len(first) == 10
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    for invitation in first:
        local = invitation.scheduled_for.astimezone(tz)
        assert local.weekday() < 5 and 8 <= local.hour < 11, local
    assert len({i.scheduled_for.date() for i in first}) > 1  # spread over the weekdays until the next run
    with tenant_context(organization):
        campaign.refresh_from_db()
    first_of_next_month = (monday.replace(day=1) + dt.timedelta(days=32)).replace(day=1).date()
    assert campaign.next_run_at.astimezone(tz).date() == first_of_next_month
    assert all(i.scheduled_for < campaign.next_run_at for i in first)

    # Next month: ten others (the first ten are within the quiet period).
    distribution_tick(now=campaign.next_run_at)
    second = invitations(organization)
    assert len(second) == 20
    assert len({i.email for i in second}) == 20

    # By percentage of the audience.
    percent = campaign_for(organization, owner, survey, schedule="recurring", every="quarter", sample_percent=25,
                           quiet_period_days=0)
    distribution_tick(now=monday)
    assert len(invitations(organization, campaign=percent)) == 10


def test_triggered_campaign_schedules_from_an_event_file_and_reports_bad_lines(
        org_with_survey, campaign_for, member_client):
    organization, owner, survey = org_with_survey
    campaign = campaign_for(organization, owner, survey, schedule="triggered", trigger_delay_days=7)
    csv = (b"email;event_date;name;language\n"
           b"ny@kunde.dk;03-11-2026;Ny Kunde;da\n"
           b"bad-date@kunde.dk;32-11-2026;X;da\n"
           b"ny@kunde.dk;04-11-2026;Ny Kunde;da\n")
    response = member_client(owner).post(
        f"/o/{organization.slug}/campaigns/{campaign.pk}/events/",
        {"file": SimpleUploadedFile("events.csv", csv, content_type="text/csv")}, follow=True)
    page = response.content.decode()
    assert "1 surveys scheduled" in page
    assert "Line 3:" in page and "is not a date" in page
    assert "Line 4: ny@kunde.dk:" in page
    [invitation] = invitations(organization)
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    local = invitation.scheduled_for.astimezone(tz)
    assert local.date() >= dt.date(2026, 11, 10) and local.weekday() < 5 and 8 <= local.hour < 11
    with tenant_context(organization):
        assert Contact.objects.get(email="ny@kunde.dk").name == "Ny Kunde"


def test_campaign_page_shows_live_progress(org_with_survey, contacts_in, campaign_for, smtp_sink, member_client,
                                           client):
    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da"), ("b@x.dk", "en")])
    campaign = campaign_for(organization, owner, survey)
    distribution_tick()
    message = next(m for m in smtp_sink.wait_for(2) if m["To"] == "a@x.dk")
    link = next(u for u in links_in(message, smtp_sink) if "score=3" in u)
    client.post(path_of(link).split("?")[0], {"score": "3"})
    fragment = member_client(owner).get(f"/o/{organization.slug}/campaigns/{campaign.pk}/",
                                        HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="sent">2<' in fragment
    assert 'data-count="responded">1<' in fragment
    assert "Response rate: 50 %" in fragment


def test_campaign_for_an_unpublished_survey_does_not_start(make_org, member_client):
    from surveys.services import survey_create

    organization, owner = make_org()
    with tenant_context(organization):
        draft = survey_create(organization=organization, template="blank", name="Draft", default_language="en",
                              by=owner)
        campaign = Campaign.objects.create(organization=organization, name="X", survey=draft)
    page = member_client(owner).post(f"/o/{organization.slug}/campaigns/{campaign.pk}/action/",
                                     {"action": "start"}, follow=True).content.decode()
    assert "must be published" in page
    with tenant_context(organization):
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT


def test_provider_bounce_and_complaint_webhooks_suppress_the_address(org_with_survey, contacts_in, campaign_for,
                                                                     smtp_sink):
    from anymail.signals import AnymailTrackingEvent, tracking

    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da"), ("b@x.dk", "da")])
    campaign_for(organization, owner, survey)
    distribution_tick()
    smtp_sink.wait_for(2)
    a, b = invitations(organization)
    for invitation, event_type in ((a, "bounced"), (b, "complained")):
        event = AnymailTrackingEvent(event_type=event_type, recipient=invitation.email,
                                     metadata={"organization_id": organization.pk, "invitation_id": invitation.pk})
        tracking.send(sender=object, event=event, esp_name="Test")
    with tenant_context(organization):
        reasons = dict(Suppression.objects.values_list("email", "reason"))
        assert reasons == {"a@x.dk": "bounced", "b@x.dk": "complained"}
        assert Invitation.objects.get(pk=a.pk).status == Invitation.Status.BOUNCED


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_managers_and_viewers_read_campaigns_but_cannot_start_them(org_with_survey, campaign_for, member_client,
                                                                   role):
    from organizations.models import Membership, User

    organization, owner, survey = org_with_survey
    campaign = campaign_for(organization, owner, survey, start=False)
    user = User.objects.create_user(email=f"{role}@x.dk", password="x")
    with tenant_context(organization):
        Membership.objects.create(organization=organization, user=user, role=role)
    client = member_client(user)
    assert client.get(f"/o/{organization.slug}/campaigns/{campaign.pk}/").status_code == 200
    assert client.post(f"/o/{organization.slug}/campaigns/{campaign.pk}/action/",
                       {"action": "start"}).status_code == 403
    assert client.post(f"/o/{organization.slug}/campaigns/new/", {"name": "x"}).status_code == 403


def test_another_organizations_admin_cannot_see_or_start_a_campaign(org_with_survey, org_b, campaign_for,
                                                                    member_client):
    organization, owner, survey = org_with_survey
    other, other_owner = org_b
    campaign = campaign_for(organization, owner, survey, start=False)
    client = member_client(other_owner)
    for slug in (organization.slug, other.slug):
        base = f"/o/{slug}/campaigns/{campaign.pk}/"
        assert client.get(base).status_code == 404
        assert client.post(base + "action/", {"action": "start"}).status_code == 404
        assert client.post(base + "events/", {}).status_code == 404
    with tenant_context(organization):
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT
    # Nor can a campaign of theirs send our survey.
    page = client.post(f"/o/{other.slug}/campaigns/new/", {"name": "Steal", "survey": survey.pk,
                                                          "audience": "all", "schedule": "once",
                                                          "link_valid_days": 30, "trigger_delay_days": 7})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


def test_unknown_and_expired_links_get_a_friendly_page(org_with_survey, contacts_in, campaign_for, smtp_sink,
                                                       client):
    organization, owner, survey = org_with_survey
    contacts_in(organization, [("a@x.dk", "da")])
    campaign_for(organization, owner, survey)
    distribution_tick()
    link = path_of(links_in(smtp_sink.wait_for(1)[0], smtp_sink)[0]).split("?")[0]
    unknown = client.get(f"/r/{organization.pk}.not-a-real-token-at-all/")
    assert unknown.status_code == 404
    assert "We could not find this survey" in unknown.content.decode()
    with tenant_context(organization):
        Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410
    assert 'lang="da"' in expired.content.decode()
