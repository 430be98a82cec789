"""Webhook and chat targets under attack (issue 15.1): the address a call connects to is the one
that was checked (resolved once, pinned), URL forms that parsers read differently are refused,
and the test button answers every failure to connect in the same words. A real listener on
127.0.0.1 stands for the internal service an attacker aims at; private targets are not allowed."""

from __future__ import annotations

import socket
import threading

import pytest

from nps_platform.tenancy import tenant_context

from .conftest import Receiver, in_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def internal():
    server = Receiver().start()
    yield server
    server.stop()


def tricky_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}\\@1.1.1.1/x",
        f"http://127.0.0.1:{port}\\\\@1.1.1.1/x",
        f"http://1.1.1.1@127.0.0.1:{port}/x",
        f"http://user:pw@127.0.0.1:{port}/x",
        f"http://1.1.1.1:80#@127.0.0.1:{port}/x",
        f"http://127.1:{port}/x",
        f"http://0x7f000001:{port}/x",
        f"http://2130706433:{port}/x",
        f"http://0.0.0.0:{port}/x",
        f"http://localhost:{port}/x",
        f"http://[::ffff:127.0.0.1]:{port}/x",
        f"http://127.0.0.1:{port}/x",
        f"http://127.0.0.1:{port}/x\r\nX-Injected: 1",
        f" http://127.0.0.1:{port}/x",
    ]


def test_no_tricky_url_reaches_a_listener_on_loopback(internal, settings):
    from followups import webhooks

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in tricky_urls(internal.port):
        with pytest.raises(webhooks.TargetRefused):
            webhooks.target_check(url)
        with pytest.raises((webhooks.TargetRefused, ConnectionError)):
            webhooks.post_signed(url=url, secret="s", event="test", event_id="1", payload={})
        with pytest.raises((webhooks.TargetRefused, ConnectionError)):
            webhooks.post_chat(url=url, text="hi")
    assert internal.requests == []


def test_a_saved_webhook_with_a_backslash_url_delivers_nothing_and_the_button_says_little(
        shop, member_client, internal, settings):
    """A webhook row that got past the old check (saved before the fix) is checked again on the
    call, against the address actually connected to."""
    from followups.models import Webhook

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    organization, owner, _survey = shop
    url = f"http://127.0.0.1:{internal.port}\\@1.1.1.1/x"
    with tenant_context(organization):
        hook = Webhook.objects.create(organization=organization, url=url, events=["response.created"],
                                      secret="x" * 32)
    page = member_client(owner).post(f"/o/{organization.slug}/followup/webhooks/{hook.pk}/test/", follow=True)
    assert "The test event was delivered" not in page.content.decode()
    assert internal.requests == []
    # Neither the page's form nor the API stores it.
    for candidate in tricky_urls(internal.port)[:5]:
        added = member_client(owner).post(f"/o/{organization.slug}/followup/webhooks/",
                                          {"url": candidate, "events": ["response.created"]})
        assert added.status_code == 200
    assert in_org(organization, lambda: Webhook.objects.count()) == 1


def test_chat_urls_on_rules_refuse_the_tricky_forms(shop, member_client, internal, settings):
    from followups.models import Rule

    from .test_rules_and_alerts import rule_form

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    organization, owner, _survey = shop
    for candidate in tricky_urls(internal.port)[:6]:
        page = member_client(owner).post(f"/o/{organization.slug}/followup/rules/new/", rule_form(
            slack_webhook_url=candidate, teams_webhook_url=candidate))
        assert page.status_code == 200, candidate
    assert in_org(organization, lambda: Rule.objects.count()) == 0


def test_the_connection_keeps_the_name_in_the_host_header(internal, settings):
    """Pinned to the resolved address, the request still names the host it was meant for."""
    from followups import webhooks

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert webhooks.post_chat(url=f"http://localhost:{internal.port}/chat", text="hi") == 200
    [request] = internal.requests
    assert request["headers"]["Host"] == f"localhost:{internal.port}"


@pytest.fixture
def silent_port():
    """A listener that accepts and never answers (a filtered or slow service)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def run():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def slamming_port():
    """A listener that accepts and closes at once (not HTTP)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def run():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def test_the_test_button_is_no_port_scanner(shop, member_client, settings, monkeypatch, silent_port,
                                            slamming_port):
    """Refused, timed out, reset: one message on the page, in the API and in the log."""
    from followups import webhooks
    from followups.models import Webhook, WebhookDelivery
    from organizations.services import api_key_create

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(webhooks, "TIMEOUT", (1, 1))
    organization, owner, _survey = shop
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    with tenant_context(organization):
        hooks = [Webhook.objects.create(organization=organization, url=f"http://127.0.0.1:{port}/x",
                                        events=["response.created"], secret="x" * 32)
                 for port in (closed_port, silent_port, slamming_port)]
        raw, _key = api_key_create(organization=organization, name="t", scope="read_write", by=owner)
    admin = member_client(owner)
    pages, answers = set(), set()
    for hook in hooks:
        page = admin.post(f"/o/{organization.slug}/followup/webhooks/{hook.pk}/test/", follow=True)
        [message] = [str(m) for m in page.context["messages"]]
        pages.add(message)
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for hook in hooks:
        answer = api.post(f"/api/v1/webhooks/{hook.pk}/test/").json()
        assert answer["delivered"] is False and answer["status_code"] is None
        answers.add(answer["error"])
    assert len(pages) == 1 and len(answers) == 1, (pages, answers)
    assert "HTTP" not in pages.pop().split(":")[0]
    with tenant_context(organization):
        logged = set(WebhookDelivery.objects.values_list("error", flat=True))
    assert logged == {webhooks.UNREACHABLE}
