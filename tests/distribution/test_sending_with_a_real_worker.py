"""Campaigns delivered by a real Celery worker to a real SMTP sink: language, score links,
quiet period, suppression, reminders, and nothing ever sent twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from distribution.models import EmailSend, Invitation
from distribution.services import distribution_tick, sends_enqueue_due
from nps_platform.tenancy import tenant_context
from responses.models import Response

from .conftest import links_in, path_of

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PEOPLE = [("dorte@kunde.dk", "da"), ("sven@kund.se", "sv"), ("emma@customer.co.uk", "en")]


def wait_for_sends(organization, count, timeout=30):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_context(organization):
            if EmailSend.objects.filter(status=EmailSend.Status.SENT).count() >= count:
                return
        time.sleep(0.2)


@pytest.mark.both_brokers  # on Redis and on RabbitMQ (tests/conftest.py)
def test_a_scheduled_campaign_delivers_each_contact_an_email_in_their_language(
        make_org, published_survey, contacts_in, campaign_for, celery_worker_process, smtp_sink, client):
    organization, owner = make_org("Cykelmageren ApS")
    survey = published_survey(organization, owner)
    contacts_in(organization, PEOPLE)
    campaign_for(organization, owner, survey, send_at=timezone.now() - dt.timedelta(minutes=1))

    distribution_tick()
    messages = smtp_sink.wait_for(3)
    assert sorted(m["To"] for m in messages) == sorted(email for email, _ in PEOPLE)
    by_to = {m["To"]: m for m in messages}

    danish, swedish, english = (by_to[e] for e, _ in PEOPLE)
    assert "vil gerne høre fra dig" in danish["Subject"]
    assert "anbefale Cykelmageren" in smtp_sink.body(danish, "html")
    assert "rekommendera Cykelmageren" in smtp_sink.body(swedish, "html")
    assert "recommend Cykelmageren" in smtp_sink.body(english, "html")
    for message in messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].strip().startswith("<http")
        assert "Cykelmageren" in message["From"]

    # The eleven score buttons open the survey with that score chosen, in Danish; opening them
    # records nothing (a mail scanner follows every link).
    score_links = [u for u in links_in(danish, smtp_sink) if "score=" in u]
    assert len(score_links) == 11
    page = client.get(path_of(score_links[9]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="da"' in html
    assert 'id="score-9" value="9" checked' in html
    for url in links_in(danish, smtp_sink):
        client.get(path_of(url))
    with tenant_context(organization):
        assert Response.objects.count() == 0
        assert Invitation.objects.filter(opened_at__isnull=False).count() == 1


def test_a_repeated_tick_and_duplicate_tasks_send_nothing_twice(
        make_org, published_survey, contacts_in, campaign_for, celery_worker_process, smtp_sink):
    from distribution.tasks import invitations_send

    organization, owner = make_org()
    survey = published_survey(organization, owner)
    contacts_in(organization, PEOPLE)
    campaign_for(organization, owner, survey)

    distribution_tick()
    distribution_tick()  # a second beat, or the next minute
    wait_for_sends(organization, 3)
    with tenant_context(organization):
        ids = list(Invitation.objects.values_list("pk", flat=True))
    # The same batch delivered again (a redelivered message, a retry of the task).
    invitations_send.delay(organization_id=organization.pk, invitation_ids=ids, kind="invitation")
    invitations_send.delay(organization_id=organization.pk, invitation_ids=ids, kind="invitation")
    # Past the enqueue lease: the tick would enqueue anything still unsent — nothing is.
    sends_enqueue_due(now=timezone.now() + dt.timedelta(minutes=11))
    assert len(smtp_sink.wait_for(4, timeout=5)) == 3
    log = celery_worker_process.log_path.read_text()
    assert log.count("distribution.invitations_send") >= 3 and "'skipped': 3" in log


@pytest.mark.both_brokers  # on Redis and on RabbitMQ (tests/conftest.py)
def test_reminder_reaches_only_non_responders(
        make_org, published_survey, contacts_in, campaign_for, celery_worker_process, smtp_sink, client):
    organization, owner = make_org()
    survey = published_survey(organization, owner)
    contacts_in(organization, PEOPLE)
    campaign_for(organization, owner, survey, reminder_after_days=3)
    distribution_tick()
    first = smtp_sink.wait_for(3)
    assert len(first) == 3

    # Dorte answers from her email (score 9, then Send).
    danish = next(m for m in first if m["To"] == "dorte@kunde.dk")
    link = next(u for u in links_in(danish, smtp_sink) if "score=9" in u)
    response = client.post(path_of(link).split("?")[0], {"score": "9", "lang": "da"})
    assert response.status_code == 302

    sends_enqueue_due(now=timezone.now() + dt.timedelta(days=2))  # too early for reminders
    assert len(smtp_sink.wait_for(4, timeout=3)) == 3
    sends_enqueue_due(now=timezone.now() + dt.timedelta(days=3, minutes=1))
    everything = smtp_sink.wait_for(5)
    reminders = everything[3:]
    assert sorted(m["To"] for m in reminders) == ["emma@customer.co.uk", "sven@kund.se"]
    subjects = {m["To"]: str(m["Subject"]).strip() for m in reminders}
    assert subjects["emma@customer.co.uk"].startswith("Reminder: Cykelmageren")
    assert subjects["sven@kund.se"].startswith("Påminnelse: Cykelmageren")
    sends_enqueue_due(now=timezone.now() + dt.timedelta(days=5))  # one reminder, ever
    assert len(smtp_sink.wait_for(6, timeout=3)) == 5


def test_a_lost_broker_queue_loses_no_send(
        make_org, published_survey, contacts_in, campaign_for, celery_worker_factory, smtp_sink):
    """The tick hands ids to Redis; if Redis forgets them (a restart without persistence), the
    state in PostgreSQL still says 'due', and a later tick hands them out again."""
    from nps_platform.celery import app

    organization, owner = make_org()
    survey = published_survey(organization, owner)
    contacts_in(organization, PEOPLE)
    campaign_for(organization, owner, survey)
    distribution_tick()  # no worker is running yet: the tasks wait in Redis
    with app.connection_for_write() as conn:
        purged = conn.default_channel.queue_purge(celery_worker_factory.queue)
    assert purged >= 1  # the queue is gone, as after a Redis restart
    celery_worker_factory()
    assert smtp_sink.wait_for(1, timeout=3) == []
    sends_enqueue_due(now=timezone.now() + dt.timedelta(minutes=11))  # the lease has run out
    assert sorted(m["To"] for m in smtp_sink.wait_for(3)) == sorted(e for e, _ in PEOPLE)
