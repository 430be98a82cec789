"""Rules and alerts: an admin starts with three sensible rules; a detractor's answer alerts the
responsible person once, by email (and Slack/Teams when the rule says so); rules limited to a
survey or department, or switched off, stay quiet; a mail server that is down delays an alert
but does not lose it."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from nps_platform.tenancy import tenant_context
from tests.conftest import free_port

from .conftest import SITE, alerts_of, cases_of, default_rules, in_org, rule_make

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def mail_to(messages, address) -> list:
    return [m for m in messages if address in m["To"]]


# --- The rule list --------------------------------------------------------------------------------

def test_the_rule_list_gives_an_admin_three_default_rules_once(shop, add_member, member_client):
    from followups.models import Rule

    organization, owner, _survey = shop
    viewer = add_member(organization, "viewer")
    url = f"/o/{organization.slug}/followup/rules/"

    seen_by_viewer = member_client(viewer).get(url)
    assert seen_by_viewer.status_code == 200
    assert "No rules: answers start nothing." in text(seen_by_viewer)
    assert in_org(organization, lambda: Rule.objects.count()) == 0  # a viewer's visit creates nothing

    page = text(member_client(owner).get(url))
    for name in ("Detractors: call within 48 hours", "Passives: ask what would make a 9 or 10",
                 "Promoters: thank and invite a review"):
        assert name in page
    assert "case due in 48 h" in page and "email alert" in page
    member_client(owner).get(url)
    rules = in_org(organization, lambda: list(Rule.objects.order_by("category")))
    # Detractors on; passives and promoters ready to switch on, as inbox tasks without an email.
    assert [(r.category, r.is_active, r.notify_email, r.open_case, r.sla_hours) for r in rules] == [
        ("detractor", True, True, True, 48), ("passive", False, False, True, 120),
        ("promoter", False, False, True, 120)]


# --- Who is alerted -------------------------------------------------------------------------------

@pytest.mark.parametrize("situation, expected", [
    ("north has a manager", "nora.north@shop.dk"),
    ("only sales has a manager", "sam.sales@shop.dk"),
    ("no manager, a fallback", "ada.admin@shop.dk"),
    ("no manager, no fallback", "owner"),
])
def test_a_detractor_alerts_the_responsible_person_once(tree, answer, smtp_sink, situation, expected):
    from organizations.models import Membership, Organization

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    with tenant_context(organization):
        if situation != "north has a manager":
            Membership.objects.get(user=tree["north_manager"]).departments.clear()
        if situation.startswith("no manager"):
            Membership.objects.get(user=tree["sales_manager"]).departments.clear()
    if situation == "no manager, a fallback":
        Organization.objects.filter(pk=organization.pk).update(alert_fallback=tree["admin"])
        organization.refresh_from_db()
    expected = tree["owner"].email if expected == "owner" else expected

    answer(organization, survey, 2, "The bike was not ready", employee=tree["erik"])

    [alert_mail] = smtp_sink.wait_for(1)
    assert alert_mail["To"] == expected
    [case] = cases_of(organization)
    assert case.owner.email == expected
    [alert] = alerts_of(organization)
    assert alert.status == "sent" and alert.recipients == [expected] and alert.case_id == case.pk


def test_the_alert_names_score_survey_comment_and_links_the_case(tree, invite, client, member_client, smtp_sink,
                                                                 django_capture_on_commit_callbacks):
    from contacts.models import Contact

    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    default_rules(organization)
    with tenant_context(organization):
        karen = Contact.objects.create(organization=organization, email="karen@kunde.dk", name="Karen Kunde",
                                       language="en", employee=tree["erik"])
    _invitation, path = invite(organization, owner, survey, karen)

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(path, {"score": "2", "q-reason": "The bike was not ready on Friday"})
    assert posted.status_code == 302

    [alert_mail] = smtp_sink.wait_for(1)
    [case] = cases_of(organization)
    body = smtp_sink.body(alert_mail)
    assert alert_mail["To"] == "nora.north@shop.dk"
    assert "[2]" in alert_mail["Subject"] and "Relationship" in alert_mail["Subject"]
    assert "Relationship: 2/10 (detractor)" in body
    assert "The bike was not ready on Friday" in body
    assert "Karen Kunde <karen@kunde.dk>" in body
    assert "What to do: Contact the customer within 48 hours" in body
    case_url = f"{SITE}/o/{organization.slug}/followup/cases/{case.pk}/"
    assert case_url in body
    assert case_url in smtp_sink.body(alert_mail, "html")
    opened = member_client(tree["north_manager"]).get(case_url.removeprefix(SITE))
    assert opened.status_code == 200 and "The bike was not ready on Friday" in text(opened)

    # The customer changes their answer: the response keeps its history, nobody is alerted twice.
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(path, {"score": "1", "q-reason": "Still not ready on Monday"})
    assert changed.status_code == 302
    with tenant_context(organization):
        from responses.models import Response

        [response] = Response.objects.all()
        assert response.score == 1 and response.changes.count() == 1
    from followups.services import followups_sweep

    followups_sweep(now=timezone.now() + dt.timedelta(minutes=5))
    assert len(smtp_sink.wait_for(2, timeout=1)) == 1
    assert len(alerts_of(organization)) == 1 and len(cases_of(organization)) == 1


def test_saving_the_same_public_answer_again_adds_no_second_alert(tree, answer, smtp_sink):
    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    first = answer(organization, survey, 3, "Rude on the phone", employee=tree["erik"])
    again = answer(organization, survey, 3, "Rude on the phone", employee=tree["erik"], previous=first)
    changed = answer(organization, survey, 0, "Rude on the phone, twice", employee=tree["erik"], previous=first)
    assert first.pk == again.pk == changed.pk

    assert len(smtp_sink.wait_for(2, timeout=1)) == 1
    assert len(alerts_of(organization)) == 1 and len(cases_of(organization)) == 1


# --- Which rules match ----------------------------------------------------------------------------

def test_a_rule_limited_to_a_survey_only_matches_that_survey(tree, answer, published_survey, smtp_sink):
    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    visit = published_survey(organization, owner, languages=("en",), template="transactional",
                             name="Workshop visit")
    rule_make(organization, name="Workshop detractors", survey=visit)

    answer(organization, survey, 1, "Relationship is bad", employee=tree["erik"])
    assert alerts_of(organization) == [] and cases_of(organization) == []
    assert smtp_sink.wait_for(1, timeout=0.5) == []

    answer(organization, visit, 1, "The visit was bad", employee=tree["erik"])
    [alert] = alerts_of(organization)
    assert alert.rule.name == "Workshop detractors"
    [message] = smtp_sink.wait_for(1)
    assert "The visit was bad" in smtp_sink.body(message) and "Workshop visit" in message["Subject"]


def test_a_rule_limited_to_a_department_only_matches_that_department(tree, answer, smtp_sink):
    from organizations.models import Department

    organization, survey = tree["organization"], tree["survey"]
    with tenant_context(organization):
        support = Department.objects.create(organization=organization, name="Support")
    rule_make(organization, name="Support detractors", department=support)

    answer(organization, survey, 4, "Sales never called back", department=tree["sales"])
    assert alerts_of(organization) == [] and cases_of(organization) == []

    answer(organization, survey, 4, "Support never called back", department=support)
    [alert] = alerts_of(organization)
    [case] = cases_of(organization)
    assert alert.rule.name == "Support detractors" and case.department == support
    [message] = smtp_sink.wait_for(1)
    assert "Support never called back" in smtp_sink.body(message)
    assert message["To"] == tree["owner"].email  # nobody manages Support: the owners


def test_an_inactive_rule_matches_nothing(tree, answer, smtp_sink):
    organization, survey = tree["organization"], tree["survey"]
    rule_make(organization, name="Switched off", is_active=False)
    answer(organization, survey, 0, "Terrible", employee=tree["erik"])
    assert alerts_of(organization) == [] and cases_of(organization) == []
    assert smtp_sink.wait_for(1, timeout=0.5) == []


def test_a_passive_with_the_default_rules_opens_no_case_and_sends_no_mail(tree, answer, smtp_sink):
    from followups.services import followups_sweep

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    answer(organization, survey, 8, "Fine, a bit slow", employee=tree["erik"])
    followups_sweep(now=timezone.now() + dt.timedelta(minutes=5))
    assert cases_of(organization) == []
    assert smtp_sink.wait_for(1, timeout=0.5) == []


# --- Slack and Teams ------------------------------------------------------------------------------

def rule_form(**fields) -> dict:
    data = {"name": "Detractors to chat", "category": "detractor", "survey": "", "department": "",
            "open_case": "on", "sla_hours": "48", "sla_clock": "wall", "playbook": "Call them today.",
            "slack_webhook_url": "", "teams_webhook_url": "", "is_active": "on"}
    data.update(fields)
    return data


def test_chat_webhooks_to_private_addresses_are_refused_by_the_form(shop, member_client):
    from followups.models import Rule

    organization, owner, _survey = shop
    page = member_client(owner).post(f"/o/{organization.slug}/followup/rules/new/", rule_form(
        slack_webhook_url="http://127.0.0.1:9/hooks/abc", teams_webhook_url="http://10.1.2.3/webhook"))
    assert page.status_code == 200
    body = text(page)
    assert "points to a private or local address (127.0.0.1)" in body
    assert "points to a private or local address (10.1.2.3)" in body
    assert in_org(organization, lambda: Rule.objects.count()) == 0


def test_a_rule_posts_the_alert_to_slack_and_teams(shop, member_client, answer, receiver, settings, smtp_sink):
    from followups.models import Rule

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    organization, owner, survey = shop
    saved = member_client(owner).post(f"/o/{organization.slug}/followup/rules/new/", rule_form(
        slack_webhook_url=f"{receiver.url}/slack", teams_webhook_url=f"{receiver.url}/teams"))
    assert saved.status_code == 302
    [rule] = in_org(organization, lambda: list(Rule.objects.all()))
    assert rule.notify_email is False and rule.slack_webhook_url == f"{receiver.url}/slack"

    answer(organization, survey, 3, "Wrong parts ordered")

    assert sorted(r["path"] for r in receiver.requests) == ["/slack", "/teams"]
    [case] = cases_of(organization)
    for request in receiver.requests:
        assert request["headers"]["Content-Type"] == "application/json"
        posted = json.loads(request["body"])
        assert list(posted) == ["text"]
        assert "Detractors to chat — Relationship: 3/10. Wrong parts ordered" in posted["text"]
        assert f"{SITE}/o/{organization.slug}/followup/cases/{case.pk}/" in posted["text"]
    [alert] = alerts_of(organization)
    assert alert.status == "sent"
    assert smtp_sink.wait_for(1, timeout=0.5) == []  # the rule does not email


# --- A mail server that is down --------------------------------------------------------------------

def test_an_alert_that_could_not_be_mailed_waits_and_the_sweep_sends_it_once(tree, answer, settings, smtp_sink):
    from followups.services import followups_sweep
    from responses.models import Response

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    # Tasks run inline in tests: the alert task's scheduled retry surfaces here as Retry.
    with contextlib.suppress(Retry, OSError):
        answer(organization, survey, 1, "Nobody answered the phone", employee=tree["erik"])

    assert in_org(organization, lambda: Response.objects.count()) == 1  # the answer itself is kept
    [alert] = alerts_of(organization)
    assert alert.status == "pending" and alert.attempts >= 1 and alert.sent_at is None
    assert "Connection refused" in alert.error
    assert len(cases_of(organization)) == 1
    assert smtp_sink.messages == []

    settings.EMAIL_PORT = smtp_sink.port  # the mail server is back
    assert followups_sweep(now=timezone.now() + dt.timedelta(minutes=3))["resent"] == 1
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "nora.north@shop.dk" and "Nobody answered the phone" in smtp_sink.body(message)
    [alert] = alerts_of(organization)
    assert alert.status == "sent" and alert.error == "" and alert.recipients == ["nora.north@shop.dk"]

    assert followups_sweep(now=timezone.now() + dt.timedelta(minutes=10))["resent"] == 0
    assert len(smtp_sink.wait_for(2, timeout=1)) == 1


@pytest.fixture
def worker_like_retries():
    """Inline tasks that keep their retries to themselves, as a worker does (no exception back to
    the caller): the alert task runs all its retries at once."""
    from nps_platform.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def test_an_alert_whose_task_retries_ran_out_during_an_outage_is_still_sent_by_the_sweep(
        tree, answer, settings, smtp_sink, worker_like_retries):
    from followups.services import followups_sweep

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    settings.EMAIL_PORT = free_port()
    answer(organization, survey, 1, "Nobody answered the phone", employee=tree["erik"])
    [alert] = alerts_of(organization)
    assert alert.sent_at is None and "Connection refused" in alert.error

    settings.EMAIL_PORT = smtp_sink.port
    followups_sweep(now=timezone.now() + dt.timedelta(minutes=30))
    [message] = smtp_sink.wait_for(1, timeout=2)
    assert message["To"] == "nora.north@shop.dk"


def test_a_removed_member_who_was_the_alert_fallback_gets_no_more_alerts(tree, answer, smtp_sink):
    from organizations.models import Membership, Organization
    from organizations.services import membership_remove

    organization, survey, owner = tree["organization"], tree["survey"], tree["owner"]
    default_rules(organization)
    with tenant_context(organization):
        for manager in (tree["north_manager"], tree["sales_manager"]):
            Membership.objects.get(user=manager).departments.clear()
    Organization.objects.filter(pk=organization.pk).update(alert_fallback=tree["admin"])
    organization.refresh_from_db()
    with tenant_context(organization):
        membership_remove(membership=Membership.objects.get(user=tree["admin"]), by=owner)

    answer(organization, survey, 2, "Karen is furious", employee=tree["erik"])
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == owner.email
    [case] = cases_of(organization)
    assert case.owner == owner
