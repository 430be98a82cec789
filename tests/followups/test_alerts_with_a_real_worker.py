"""The closed loop with a real Celery worker and SMTP sink: a detractor's answer produces one
alert email and one case within a minute, and an alert lost on the way is found by the sweep."""

from __future__ import annotations

import time

import pytest

from followups.models import Alert, Case
from followups.services import followups_sweep, rules_ensure_defaults
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee, Membership, Role, User
from responses.models import Response
from tests.distribution.conftest import campaign_for, contacts_in, links_in, path_of, published_survey  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(make_org, published_survey):  # noqa: F811
    """An organization whose Copenhagen workshop has a manager, and a contact served there."""
    organization, owner = make_org("Cykelmageren ApS")
    survey = published_survey(organization, owner, languages=("da", "en"))
    manager = User.objects.create_user(email="mette.manager@cykelmageren.dk", password="x", full_name="Mette")
    with tenant_context(organization):
        department = Department.objects.create(organization=organization, name="Værksted København")
        Membership.objects.create(organization=organization, user=manager, role=Role.MANAGER).departments.add(
            department)
        mechanic = Employee.objects.create(organization=organization, name="Jens", email="jens@cykelmageren.dk",
                                           department=department)
        rules_ensure_defaults(organization=organization)
    return organization, owner, survey, manager, mechanic


@pytest.mark.both_brokers  # on Redis and on RabbitMQ (tests/conftest.py)
def test_a_detractor_answer_alerts_the_manager_once_and_opens_one_case_within_a_minute(
        workshop, campaign_for, celery_worker_process, smtp_sink, client):  # noqa: F811
    from contacts.models import Contact
    from distribution.services import distribution_tick

    organization, owner, survey, manager, mechanic = workshop
    with tenant_context(organization):
        Contact.objects.create(organization=organization, email="kunde@example.dk", language="da",
                               employee=mechanic, department=mechanic.department)
    campaign_for(organization, owner, survey)
    distribution_tick()
    [invitation_email] = smtp_sink.wait_for(1)
    link = next(u for u in links_in(invitation_email, smtp_sink) if u.endswith("score=2"))

    started = time.monotonic()
    response = client.post(path_of(link).split("?")[0], {"score": "2", "q-reason": "Cyklen var ikke klar"})
    assert response.status_code == 302
    messages = smtp_sink.wait_for(2, timeout=60)
    elapsed = time.monotonic() - started
    assert len(messages) == 2, "no alert reached the mail server within a minute"
    alert_email = messages[1]
    assert alert_email["To"] == manager.email
    assert "Cyklen var ikke klar" in smtp_sink.body(alert_email)
    assert "/followup/cases/" in smtp_sink.body(alert_email)
    print(f"alert at the mail server {elapsed:.1f} s after the answer")

    # Changing the answer, or the sweep running, adds nothing.
    client.post(path_of(link).split("?")[0], {"score": "1", "q-reason": "Cyklen var ikke klar, igen"})
    followups_sweep()
    assert len(smtp_sink.wait_for(3, timeout=5)) == 2
    with tenant_context(organization):
        assert Alert.objects.count() == 1
        [case] = Case.objects.all()
        assert case.owner == manager and case.category == "detractor"
        assert Response.objects.get().score == 1


def test_an_alert_lost_on_the_way_is_sent_by_the_sweep(workshop, celery_worker_factory, smtp_sink):
    """The answer is saved and handed on (its alert made), but the alert's send task never ran
    (Redis lost it): the sweep finds it."""
    import datetime as dt

    from django.utils import timezone

    from responses.outbox import outbox_drain
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown

    organization, _owner, survey, manager, mechanic = workshop
    from nps_platform.celery import app

    with tenant_context(organization):
        version = survey.current_version
        shown = survey_shown(definition=version.definition, language="da", category="detractor")
        response, _ = response_record_public(survey=survey, version=version, shown=shown, channel="link",
                                             department=mechanic.department,
                                             submission=Submission(score=3, answers={"reason": "Lang ventetid"}))
    assert outbox_drain() == 1  # what a worker's consumer does: the alert is made, its send queued
    with app.connection_for_write() as conn:  # the send task is lost, as in a Redis restart
        conn.default_channel.queue_purge(celery_worker_factory.queue)
    with tenant_context(organization):
        assert Alert.objects.get().status == Alert.Status.PENDING
    celery_worker_factory()
    assert smtp_sink.wait_for(1, timeout=3) == []  # the worker has nothing to do: the outbox is empty
    followups_sweep(now=timezone.now() + dt.timedelta(minutes=3))
    [alert_email] = smtp_sink.wait_for(1, timeout=30)
    assert alert_email["To"] == manager.email and "Lang ventetid" in smtp_sink.body(alert_email)
    deadline = time.monotonic() + 10  # the worker commits just after the mail server accepts
    with tenant_context(organization):
        while Alert.objects.get().status != Alert.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Alert.objects.get().status == Alert.Status.SENT
        assert Case.objects.get().response_id == response.pk
