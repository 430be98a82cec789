"""Sending survives a dead worker, a lost broker queue and two ticks at once (issue 15.3), with
a real Celery worker, Redis and an SMTP sink that takes a little time per message. Leases are
shortened to 3 s here (SEND_LEASE_SECONDS, in this process and the worker's): every invitation
arrives; a message goes twice only if its worker died between the server's acceptance and our
"sent" mark — at most one claim chunk — and those are flagged "may have been sent twice"."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from distribution.models import EmailSend, Invitation
from distribution.services import CLAIM_CHUNK, campaign_progress, distribution_tick
from nps_platform.tenancy import tenant_context
from tests.slow_sink import SlowSink

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LEASE = 3
PEOPLE = 300


@pytest.fixture
def smtp_sink(settings, monkeypatch):
    """Replaces the shared sink for this module (the worker fixture sends to it)."""
    sink = SlowSink(delay=0.02)
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.SEND_LEASE_SECONDS = LEASE
    monkeypatch.setenv("SEND_LEASE_SECONDS", str(LEASE))  # the worker's lease and renewal
    yield sink
    sink.controller.stop()


@pytest.fixture
def campaign(make_org, published_survey, contacts_in, campaign_for):
    organization, owner = make_org("Robust ApS")
    survey = published_survey(organization, owner)
    contacts_in(organization, [(f"p{i}@kunde.dk", "da") for i in range(PEOPLE)])
    return organization, campaign_for(organization, owner, survey), owner


def everyone() -> set[str]:
    return {f"p{i}@kunde.dk" for i in range(PEOPLE)}


def tick_until_all_arrive(sink, timeout: float = 60.0) -> float:
    """Ticks every lease (as beat would, only faster) until every person has an email."""
    started = time.monotonic()
    while time.monotonic() - started < timeout and set(sink.recipients()) != everyone():
        distribution_tick()
        sink.wait_for(PEOPLE * 3, timeout=LEASE + 0.5)  # a beat tick, LEASE apart
    return time.monotonic() - started


def assert_counts_true(organization, campaign_obj, twice: set[str]):
    # the worker marks a chunk sent just after the SMTP server took it: give the last mark a moment
    deadline = time.monotonic() + 10
    with tenant_context(organization):
        while time.monotonic() < deadline and (
                Invitation.objects.exclude(status=Invitation.Status.SENT).exists()
                or EmailSend.objects.exclude(status=EmailSend.Status.SENT).exists()):
            time.sleep(0.2)
    with tenant_context(organization):
        assert Invitation.objects.exclude(status=Invitation.Status.SENT).count() == 0
        assert EmailSend.objects.exclude(status=EmailSend.Status.SENT).count() == 0
        flagged = set(EmailSend.objects.filter(maybe_duplicate=True).values_list("invitation__email", flat=True))
        progress = campaign_progress(campaign=campaign_obj)
    assert twice <= flagged  # every message that went twice is flagged
    assert len(flagged) <= CLAIM_CHUNK
    assert (progress["sent"], progress["failed"], progress["scheduled"], progress["sending"]) == (PEOPLE, 0, 0, 0)
    assert progress["maybe_twice"] == len(flagged)


@pytest.mark.both_brokers  # on Redis and on RabbitMQ (tests/conftest.py)
def test_a_worker_killed_mid_send_loses_nothing_and_flags_what_may_have_gone_twice(
        campaign, celery_worker_factory, smtp_sink, member_client):
    organization, campaign_obj, owner = campaign
    worker = celery_worker_factory()
    distribution_tick()
    smtp_sink.wait_for(60)
    worker.kill()  # SIGKILL, mid-batch: the pid this test started
    worker.wait(10)
    arrived_before = len(smtp_sink.messages)
    assert arrived_before < PEOPLE, "the worker finished before it was killed; the test proves nothing"

    # A new worker. Redis does not redeliver the old one's unacked batch soon (the lease does);
    # RabbitMQ does at once, when the dead worker's connection closes.
    celery_worker_factory()
    took = tick_until_all_arrive(smtp_sink)

    counts = smtp_sink.recipients()
    assert set(counts) == everyone()
    twice = {to for to, n in counts.items() if n > 1}
    assert max(counts.values()) <= 2 and len(twice) <= CLAIM_CHUNK
    assert_counts_true(organization, campaign_obj, twice)
    assert took < 30, f"redelivery took {took:.1f} s with a {LEASE} s lease"
    page = member_client(owner).get(f"/o/{organization.slug}/campaigns/{campaign_obj.pk}/").content.decode()
    with tenant_context(organization):
        maybe = EmailSend.objects.filter(maybe_duplicate=True).count()
    if maybe:
        assert f"{maybe} may have been sent twice" in page


def test_a_flushed_queue_mid_send_loses_nothing_and_sends_nothing_twice(campaign, celery_worker_factory, smtp_sink):
    from nps_platform.celery import app

    organization, campaign_obj, _owner = campaign
    celery_worker_factory()
    distribution_tick()
    smtp_sink.wait_for(20)
    with app.connection_for_write() as conn:  # the broker loses the batches still waiting (this test's queue)
        purged = conn.default_channel.queue_purge(celery_worker_factory.queue)
    assert purged, "nothing was waiting in the queue; the test proves nothing"

    tick_until_all_arrive(smtp_sink)

    counts = smtp_sink.recipients()
    assert set(counts) == everyone() and max(counts.values()) == 1
    assert_counts_true(organization, campaign_obj, set())


def test_two_ticks_at_once_send_each_invitation_once(campaign, celery_worker_factory, smtp_sink):
    organization, campaign_obj, _owner = campaign
    celery_worker_factory()
    barrier = threading.Barrier(2)
    results = []

    def tick():
        barrier.wait()
        try:
            results.append(distribution_tick())
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    smtp_sink.wait_for(PEOPLE)
    time.sleep(1)
    distribution_tick()  # a later tick finds nothing left to send
    time.sleep(1)

    counts = smtp_sink.recipients()
    assert set(counts) == everyone() and max(counts.values()) == 1
    assert sum(r["enqueued"] for r in results) == PEOPLE  # the two ticks split the work
    assert_counts_true(organization, campaign_obj, set())
