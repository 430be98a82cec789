"""Webhooks: only public addresses (unless an install allows private ones); signed JSON events
for responses and cases, verified here the way a receiver would; retries with backoff up to five
attempts; a delivery log and a test button on the webhook's page; events nobody subscribed to are
not sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import re
import time

import pytest
from django.utils import timezone

from nps_platform.tenancy import tenant_context

from .conftest import Receiver, cases_of, default_rules, in_org

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def plain(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def verified(secret: str, request: dict) -> dict:
    """What a receiver does: recompute the signature over "<timestamp>.<raw body>", compare in
    constant time, refuse stale timestamps, then parse the JSON."""
    headers = request["headers"]
    timestamp = headers["X-NPS-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"],
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["X-NPS-Signature"]), "the signature does not verify"
    assert abs(time.time() - int(timestamp)) < 300, "stale timestamp"
    return json.loads(request["body"])


def add_webhook(client, organization, url, events) -> object:
    from followups.models import Webhook

    added = client.post(f"/o/{organization.slug}/followup/webhooks/", {"url": url, "events": events})
    assert added.status_code == 302, text(added)
    with tenant_context(organization):
        return Webhook.objects.get(url=url)


def deliveries_of(organization, **filters):
    from followups.models import WebhookDelivery

    with tenant_context(organization):
        return list(WebhookDelivery.objects.filter(**filters).order_by("pk"))


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True


# --- Where webhooks may point ---------------------------------------------------------------------

@pytest.mark.parametrize("url, address", [
    ("http://127.0.0.1:8080/hook", "127.0.0.1"),
    ("http://localhost:8000/hook", None),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("https://192.168.1.10/hook", "192.168.1.10"),
    ("http://[::1]/hook", "::1"),
])
def test_a_webhook_to_a_private_address_is_refused(shop, member_client, url, address):
    from followups.models import Webhook

    organization, owner, _survey = shop
    page = member_client(owner).post(f"/o/{organization.slug}/followup/webhooks/",
                                     {"url": url, "events": list(Webhook.EVENTS)})
    assert page.status_code == 200
    body = text(page)
    assert "points to a private or local address" in body and "webhooks may only call public addresses" in body
    if address:
        assert f"({address})" in body
    assert in_org(organization, lambda: Webhook.objects.count()) == 0


def test_a_webhook_whose_address_turns_private_is_refused_when_called_and_not_retried(shop, member_client, answer,
                                                                                    receiver, settings):
    organization, owner, survey = shop
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    add_webhook(member_client(owner), organization, f"{receiver.url}/hook", ["response.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    answer(organization, survey, 9, "Lovely")
    [delivery] = deliveries_of(organization)
    assert delivery.status == "failed" and "private or local address" in delivery.error
    assert receiver.requests == []
    from followups.services import webhooks_retry_due

    assert webhooks_retry_due(now=timezone.now() + dt.timedelta(days=1)) == 0


# --- Signed events --------------------------------------------------------------------------------

def test_a_detractor_sends_signed_created_and_detractor_events(tree, member_client, answer, receiver, allow_private):
    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    hook = add_webhook(member_client(owner), organization, f"{receiver.url}/nps", ["response.created",
                                                                                    "response.detractor"])
    page = text(member_client(owner).get(f"/o/{organization.slug}/followup/webhooks/{hook.pk}/"))
    assert hook.secret in page and len(hook.secret) >= 32

    response = answer(organization, survey, 2, "The chain fell off", department=tree["sales"])

    assert sorted(receiver.events()) == ["response.created", "response.detractor"]
    for request in receiver.requests:
        headers = request["headers"]
        assert headers["Content-Type"] == "application/json"
        event = headers["X-NPS-Event"]
        assert headers["X-NPS-Delivery"] == f"{event}:{response.pk}"
        body = verified(hook.secret, request)
        assert body["event"] == event and body["id"] == headers["X-NPS-Delivery"]
        data = body["data"]
        assert (data["id"], data["score"], data["category"], data["comment"]) == \
            (response.pk, 2, "detractor", "The chain fell off")
        assert data["survey"] == {"id": survey.pk, "name": "Relationship"}
        assert data["department"] == "Sales" and data["contact"] is None
    # A tampered body does not verify.
    forged = dict(receiver.requests[0], body=receiver.requests[0]["body"].replace(b'"score":2', b'"score":9'))
    with pytest.raises(AssertionError, match="does not verify"):
        verified(hook.secret, forged)
    assert [d.status for d in deliveries_of(organization)] == ["delivered", "delivered"]

    answer(organization, survey, 10, "Fixed it in no time")
    assert sorted(receiver.events()) == ["response.created", "response.created", "response.detractor"]


def test_a_case_update_sends_case_updated(tree, member_client, answer, receiver, allow_private,
                                          django_capture_on_commit_callbacks):
    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    default_rules(organization)
    hook = add_webhook(member_client(owner), organization, f"{receiver.url}/cases", ["case.updated"])
    answer(organization, survey, 3, "Wrong size", employee=tree["erik"])
    assert receiver.requests == []  # only case events for this one
    [case] = cases_of(organization)

    with django_capture_on_commit_callbacks(execute=True):
        saved = member_client(tree["north_manager"]).post(
            f"/o/{organization.slug}/followup/cases/{case.pk}/",
            {"status": "in_progress", "reason": "", "note": "Ordered the right size"})
    assert saved.status_code == 302

    [request] = receiver.requests
    assert request["headers"]["X-NPS-Event"] == "case.updated"
    body = verified(hook.secret, request)
    assert body["event"] == "case.updated"
    assert body["data"]["id"] == case.pk and body["data"]["response_id"] == case.response_id
    assert body["data"]["status"] == "in_progress" and body["data"]["owner"] == "nora.north@shop.dk"


def test_a_webhook_gets_only_the_events_it_subscribed_to(tree, member_client, answer, allow_private,
                                                         django_capture_on_commit_callbacks):
    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    default_rules(organization)
    cases_only, created_only = Receiver().start(), Receiver().start()
    try:
        add_webhook(member_client(owner), organization, f"{cases_only.url}/a", ["case.updated"])
        add_webhook(member_client(owner), organization, f"{created_only.url}/b", ["response.created"])
        answer(organization, survey, 1, "Awful", employee=tree["erik"])
        assert cases_only.requests == []
        assert created_only.events() == ["response.created"]

        [case] = cases_of(organization)
        with django_capture_on_commit_callbacks(execute=True):
            member_client(owner).post(f"/o/{organization.slug}/followup/cases/{case.pk}/",
                                      {"status": "waiting", "reason": "", "note": ""})
        assert cases_only.events() == ["case.updated"]
        assert created_only.events() == ["response.created"]
    finally:
        cases_only.stop()
        created_only.stop()


def test_another_organizations_answers_never_reach_this_webhook(shop, org_b, member_client, answer, receiver,
                                                                allow_private, published_survey):
    organization, owner, _survey = shop
    add_webhook(member_client(owner), organization, f"{receiver.url}/alpha", ["response.created",
                                                                             "response.detractor"])
    other, other_owner = org_b
    other_survey = published_survey(other, other_owner, languages=("en",))
    answer(other, other_survey, 0, "Beta's detractor")
    assert receiver.requests == []
    assert deliveries_of(organization) == [] and deliveries_of(other) == []


# --- Retries and the log --------------------------------------------------------------------------

def test_a_failing_receiver_is_retried_with_backoff_then_given_up_after_five_attempts(
        shop, member_client, answer, receiver, allow_private):
    from followups.services import webhooks_retry_due

    organization, owner, survey = shop
    receiver.status = 500
    hook = add_webhook(member_client(owner), organization, f"{receiver.url}/down", ["response.detractor"])
    answer(organization, survey, 4, "Meh")

    [delivery] = deliveries_of(organization)
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == ("retry", 1, 500,
                                                                                           "HTTP 500")
    assert webhooks_retry_due(now=timezone.now()) == 0  # not due yet
    delays = []
    for attempt in range(2, 6):
        attempted_at = timezone.now()
        delays.append((delivery.next_attempt_at - attempted_at).total_seconds())
        assert webhooks_retry_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1)) == 1
        [delivery] = deliveries_of(organization)
        assert delivery.attempts == attempt
    assert delivery.status == "failed" and delivery.delivered_at is None
    # 30 s, 60 s, 120 s, 240 s, each ±20 %.
    for delay, base in zip(delays, (30, 60, 120, 240), strict=True):
        assert base * 0.8 - 2 <= delay <= base * 1.2, delays
    assert webhooks_retry_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 5
    assert {r["headers"]["X-NPS-Delivery"] for r in receiver.requests} == {delivery.event_id}

    log = plain(member_client(owner).get(f"/o/{organization.slug}/followup/webhooks/{hook.pk}/"))
    assert "response.detractor Failed 5 500 HTTP 500" in log


def test_a_receiver_that_recovers_gets_the_event_once(shop, member_client, answer, receiver, allow_private):
    from followups.services import webhooks_retry_due

    organization, owner, survey = shop
    receiver.status = 503
    hook = add_webhook(member_client(owner), organization, f"{receiver.url}/flaky", ["response.created"])
    answer(organization, survey, 9, "Good")
    [delivery] = deliveries_of(organization)
    assert delivery.status == "retry"

    receiver.status = 200
    assert webhooks_retry_due(now=delivery.next_attempt_at) == 1
    [delivery] = deliveries_of(organization)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert delivery.delivered_at is not None and delivery.error == ""
    assert webhooks_retry_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 2
    verified(hook.secret, receiver.requests[-1])

    log = plain(member_client(owner).get(f"/o/{organization.slug}/followup/webhooks/{hook.pk}/"))
    assert "response.created Delivered 2 200" in log


def test_the_test_button_delivers_a_signed_test_event_and_says_how_it_went(shop, member_client, receiver,
                                                                           allow_private):
    organization, owner, _survey = shop
    admin = member_client(owner)
    hook = add_webhook(admin, organization, f"{receiver.url}/test", ["response.created"])
    url = f"/o/{organization.slug}/followup/webhooks/{hook.pk}/"
    assert "Nothing sent yet." in text(admin.get(url))

    page = admin.post(f"{url}test/", follow=True)
    assert "The test event was delivered (HTTP 200)." in text(page)
    [request] = receiver.requests
    assert request["headers"]["X-NPS-Event"] == "test"
    body = verified(hook.secret, request)
    assert body["event"] == "test" and body["data"] == {"message": "A test event from NPS Platform."}
    assert "test Delivered 1 200" in plain(page)

    receiver.status = 500
    failed = admin.post(f"{url}test/", follow=True)
    assert "The test event was not delivered: HTTP 500" in text(failed)
    assert [d.event for d in deliveries_of(organization)] == ["test", "test"]


def test_only_admins_manage_webhooks(shop, add_member, member_client):
    from followups.models import Webhook

    organization, _owner, _survey = shop
    with tenant_context(organization):
        hook = Webhook.objects.create(organization=organization, url="https://example.com/hook",
                                      events=["response.created"], secret="s" * 48)
    for role in ("manager", "viewer"):
        person = member_client(add_member(organization, role))
        base = f"/o/{organization.slug}/followup/webhooks/"
        assert person.get(base).status_code == 403
        assert person.get(f"{base}{hook.pk}/").status_code == 403
        assert person.post(f"{base}{hook.pk}/test/").status_code == 403
        assert person.post(f"{base}{hook.pk}/delete/").status_code == 403
        assert "s" * 48 not in text(person.get(f"/o/{organization.slug}/followup/rules/"))
    with tenant_context(organization):
        assert Webhook.objects.filter(pk=hook.pk).exists()
        assert not hook.deliveries.exists()
