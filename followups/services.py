"""The closed loop's writes: what an answer starts, alerts, cases and their timeline, reminders
and escalation, the sweep for lost alerts, webhooks and the weekly digest. Every effect has a
unique row (an alert per rule and response, a case per response, a delivery per webhook and
event), so running any of this twice does nothing more."""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from distribution.models import Campaign
from distribution.services import trigger_event
from nps_platform.celery import task_enqueue, task_enqueue_on_commit
from nps_platform.mail import mail_in_their_languages, mail_render_and_send, sender_address
from nps_platform.nps_math import category_counts, nps
from nps_platform.periodic import unit
from nps_platform.tenancy import tenant_context
from organizations import access
from organizations.i18n import language_for
from organizations.models import Department, Employee, EmployeeVisibility, Organization, User
from organizations.services import audit_record
from responses.models import Response

from . import routing, webhooks
from .models import Alert, Case, CaseEvent, DigestSend, Rule, Webhook, WebhookDelivery

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SWEEP_MAX_ATTEMPTS = 60  # about five hours of five-minute sweeps after the task gave up
SWEEP_WINDOW = dt.timedelta(days=7)
ALERT_GRACE = dt.timedelta(minutes=2)


# --- Rules --------------------------------------------------------------------------------------

# (name, category, active, hours, playbook): detractors on; passives and promoters ready to
# switch on, as tasks in the inbox without an email.
DEFAULT_RULES = [
    ("Detractors: call within 48 hours", "detractor", True, 48,
     "Contact the customer within 48 hours: find out what went wrong and fix it."),
    ("Passives: ask what would make a 9 or 10", "passive", False, 120,
     "Ask what one thing would make them a promoter."),
    ("Promoters: thank and invite a review", "promoter", False, 120,
     "Thank them, and invite a review or a referral; offer what they do not buy yet."),
]


def rules_ensure_defaults(*, organization: Organization) -> None:
    if Rule.objects.exists():
        return
    for name, category, active, hours, playbook in DEFAULT_RULES:
        Rule.objects.create(organization=organization, name=name, category=category, is_active=active,
                            open_case=True, notify_email=category == "detractor", sla_hours=hours,
                            playbook=playbook)


def rules_matching(response: Response) -> list[Rule]:
    """Active rules for the answer's category, survey and department (a rule for a department
    covers the teams inside it). Employee (eNPS) answers start nothing: they are anonymous, and
    an alert to a small team's manager would say who answered."""
    if response.survey.is_anonymous:
        return []
    ancestors = []
    node = response.department
    while node is not None:
        ancestors.append(node.pk)
        node = node.parent
    return list(Rule.objects.filter(is_active=True, category=response.category)
                .filter(Q(survey__isnull=True) | Q(survey_id=response.survey_id))
                .filter(Q(department__isnull=True) | Q(department_id__in=ancestors))
                .order_by("pk"))


# --- What an answer starts ------------------------------------------------------------------------

def response_follow_up(*, response: Response) -> list[int]:
    """Creates the alerts and the case an answer calls for (once each) and returns the ids of
    alerts still to send. Also queues the webhooks."""
    organization = response.organization
    due = []
    for rule in rules_matching(response):
        notifies = rule.notify_email or rule.slack_webhook_url or rule.teams_webhook_url
        if not notifies:
            if rule.open_case:
                case_open(response=response, rule=rule)
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(organization=organization, rule=rule, response=response)
            except IntegrityError:
                alert = Alert.objects.get(rule=rule, response=response)
            if rule.open_case and alert.case_id is None:
                alert.case = case_open(response=response, rule=rule)
                alert.save(update_fields=["case"])
        if alert.status == Alert.Status.PENDING:
            due.append(alert.pk)
    if not access.answer_may_leave(response.survey):
        return due  # an employee answer is never sent anywhere on its own
    webhooks_queue(organization=organization, event="response.created", key=f"response.created:{response.pk}",
                   payload=response_payload(response))
    if response.category == "detractor":
        webhooks_queue(organization=organization, event="response.detractor",
                       key=f"response.detractor:{response.pk}", payload=response_payload(response))
    return due


def responses_follow_up(*, organization: Organization, response_ids: list[int]) -> list[int]:
    """What a batch of saved answers starts (the outbox's handler): each answer's alerts, case and
    webhooks, once each; every alert still to send is queued for the workers once the batch is
    committed (`followups.alert_send`, one task per alert: one tenant's slow or broken chat
    webhook holds up no one else's alert). Returns the alert ids queued."""
    due = []
    for response in Response.objects.select_related("survey", "employee", "contact", "department").filter(
            pk__in=response_ids).order_by("pk"):
        response.organization = organization  # at hand: no lookup per answer
        due += response_follow_up(response=response)
    for alert_id in due:
        task_enqueue_on_commit("followups.alert_send", alert_id=alert_id, organization_id=organization.pk)
    return due


def case_open(*, response: Response, rule: Rule) -> Case:
    """The response's case (one per response), owned by the responsible person."""
    existing = Case.objects.filter(response=response).first()
    if existing is not None:
        return existing
    organization = response.organization
    people = routing.responsible_people(organization=organization, response=response)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                organization=organization, response=response, rule=rule, category=response.category,
                department=response.department or (response.employee.department if response.employee else None),
                owner=people[0] if people else None,
                due_at=routing.due_time(start=now, hours=rule.sla_hours, business=rule.sla_clock == "business",
                                        time_zone=organization.time_zone),
            )
    except IntegrityError:
        return Case.objects.get(response=response)
    CaseEvent.objects.create(organization=organization, case=case, kind=CaseEvent.Kind.OPENED,
                             text=f"Opened by the rule “{rule.name}”; owner {case.owner or '—'}.")
    return case


def alert_send(*, alert: Alert) -> str:
    """Emails the responsible people (and posts to Slack/Teams). Safe to run twice: a sent alert
    is not sent again; a failure is retried by the task and, failing that, by the sweep."""
    with transaction.atomic():
        alert = (Alert.objects.select_for_update(of=("self",))
                 .select_related("rule", "response__survey", "case").get(pk=alert.pk))
        if alert.status == Alert.Status.SENT:
            return "already-sent"
        response, rule = alert.response, alert.rule
        organization = alert.organization
        people = [alert.case.owner] if alert.case and alert.case.owner else \
            routing.responsible_people(organization=organization, response=response)
        context = alert_context(alert)
        alert.attempts += 1
        failure = None
        try:
            if rule.notify_email and people:
                mail_in_their_languages(
                    recipients=[(p.email, language_for(p, organization)) for p in people], template="emails/alert",
                    subject=lambda: f"[{response.score}] {rule.name}: {response.survey.name}", context=context,
                    time_zone=organization.time_zone)
            text = f"{rule.name} — {response.survey.name}: {response.score}/10. {response.comment[:300]}\n" \
                   f"{context['case_url'] or context['responses_url']}"
            for url in (rule.slack_webhook_url, rule.teams_webhook_url):
                if url:
                    status = webhooks.post_chat(url=url, text=text)
                    if status >= 300:
                        raise OSError(f"the chat webhook answered {status}")
        except Exception as exc:  # every failure is kept on the alert and retried
            failure = exc
            alert.error = f"{exc.__class__.__name__}: {exc}"[:500]
            alert.status = Alert.Status.FAILED if alert.attempts >= MAX_ATTEMPTS else Alert.Status.PENDING
            alert.save(update_fields=["attempts", "error", "status"])
        else:
            alert.recipients = [p.email for p in people]
            alert.status, alert.sent_at, alert.error = Alert.Status.SENT, timezone.now(), ""
            alert.save(update_fields=["attempts", "recipients", "status", "sent_at", "error"])
    if failure is not None:
        raise failure  # the task retries with backoff; the sweep is the last resort
    return "sent"


CATEGORY_LABELS = {"promoter": gettext_lazy("promoter"), "passive": gettext_lazy("passive"),
                   "detractor": gettext_lazy("detractor")}


def alert_context(alert: Alert) -> dict:
    response = alert.response
    base = settings.SITE_URL.rstrip("/")
    slug = alert.organization.slug
    anonymous = response.survey.is_anonymous
    return {
        "alert": alert, "rule": alert.rule, "response": response, "survey": response.survey,
        "organization": alert.organization,
        "contact": None if anonymous else response.contact,
        "case_url": base + reverse("case_detail", kwargs={"org_slug": slug, "case_id": alert.case_id})
        if alert.case_id else "",
        "responses_url": base + reverse("response_list", kwargs={"org_slug": slug}),
        "due_at": alert.case.due_at if alert.case_id else None,
        "category_label": CATEGORY_LABELS.get(response.category, response.category),
    }


# --- Cases ----------------------------------------------------------------------------------------

def _first_action(case: Case, now: dt.datetime) -> None:
    if case.first_action_at is None:
        case.first_action_at = now


@transaction.atomic
def case_update(*, case: Case, by: User, status: str | None = None, owner: User | None = None,
                reason: str = "", note: str = "") -> Case:
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    changes = []
    if note.strip():
        CaseEvent.objects.create(organization=case.organization, case=case, kind=CaseEvent.Kind.NOTE, actor=by,
                                 text=note.strip()[:5000])
        changes.append("note")
    if owner is not None and owner.pk != case.owner_id:
        CaseEvent.objects.create(organization=case.organization, case=case, kind=CaseEvent.Kind.OWNER, actor=by,
                                 text=f"{case.owner or '—'} → {owner}")
        case.owner = owner
        changes.append("owner")
    if status and status != case.status:
        if status in (Case.Status.RESOLVED, Case.Status.CLOSED) and not (reason or case.reason):
            raise ValidationError("Give a reason when resolving or closing a case.")
        CaseEvent.objects.create(organization=case.organization, case=case, kind=CaseEvent.Kind.STATUS, actor=by,
                                 text=f"{case.get_status_display()} → {Case.Status(status).label}"
                                      + (f" ({Case.Reason(reason).label})" if reason else ""))
        case.status = status
        if reason:
            case.reason = reason
        case.closed_at = now if status in (Case.Status.RESOLVED, Case.Status.CLOSED) else None
        changes.append("status")
    if changes:
        _first_action(case, now)
        case.save()
        webhooks_queue(organization=case.organization, event="case.updated",
                       key=f"case.updated:{case.pk}:{now.timestamp()}", payload=case_payload(case))
    return case


def case_reply(*, case: Case, by: User, text: str) -> Case:
    """A reply to the customer by email, from our mail with the owner as reply-to; kept in the
    timeline."""
    response = case.response
    if response.survey.is_anonymous or response.contact is None:
        raise ValidationError("This answer is anonymous: there is nobody to reply to.")
    organization = case.organization
    mail_render_and_send(
        to=[response.contact.email], template="emails/case_reply",
        subject=f"{organization.name}: {response.survey.name}",
        context={"organization": organization, "text": text, "sender": by, "contact": response.contact},
        language=response.language, reply_to=[by.email],
        from_email=sender_address(organization.name),
    )
    with transaction.atomic():
        CaseEvent.objects.create(organization=organization, case=case, kind=CaseEvent.Kind.REPLY, actor=by,
                                 text=text[:5000])
        _first_action(case, timezone.now())
        if case.status == Case.Status.NEW:
            case.status = Case.Status.WAITING
        case.save()
    return case


def cases_remind_and_escalate(*, organization: Organization, now: dt.datetime) -> dict:
    """A reminder to the owner when three quarters of the time is gone; an escalation to the
    next level when the case is overdue (once per level, a day apart)."""
    reminded = escalated = 0
    for case in Case.objects.filter(status__in=Case.OPEN, reminded_at__isnull=True, owner__isnull=False) \
            .select_related("owner", "response__survey"):
        if now >= case.created_at + (case.due_at - case.created_at) * 0.75:
            with unit("case reminder", case.pk):
                mail_in_their_languages(
                    recipients=[(case.owner.email, language_for(case.owner, organization))],
                    template="emails/case_reminder", context=_case_context(case), time_zone=organization.time_zone,
                    subject=lambda c=case: gettext("Due soon: case %(id)s (%(survey)s)")
                    % {"id": c.pk, "survey": c.response.survey.name})
                case.reminded_at = now
                case.save(update_fields=["reminded_at"])
                CaseEvent.objects.create(organization=organization, case=case, kind=CaseEvent.Kind.REMINDER,
                                         text=f"Reminder sent to {case.owner.email}.")
                reminded += 1
    overdue = Case.objects.filter(status__in=Case.OPEN, due_at__lt=now) \
        .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=now - dt.timedelta(days=1))) \
        .select_related("department", "response__survey")
    for case in overdue:
        with unit("case escalation", case.pk):
            level = case.escalation_level + 1
            people = routing.escalation_people(organization=organization, department=case.department, level=level)
            if people:
                mail_in_their_languages(
                    recipients=[(p.email, language_for(p, organization)) for p in people],
                    template="emails/case_escalated", context={**_case_context(case), "level": level},
                    time_zone=organization.time_zone,
                    subject=lambda c=case: gettext("Overdue: case %(id)s (%(survey)s)")
                    % {"id": c.pk, "survey": c.response.survey.name})
            case.escalation_level, case.escalated_at = level, now
            case.save(update_fields=["escalation_level", "escalated_at"])
            CaseEvent.objects.create(organization=organization, case=case, kind=CaseEvent.Kind.ESCALATED,
                                     text=f"Overdue: escalated to {', '.join(p.email for p in people) or '—'}.")
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _case_context(case: Case) -> dict:
    base = settings.SITE_URL.rstrip("/")
    return {"case": case, "organization": case.organization, "response": case.response,
            "case_url": base + reverse("case_detail", kwargs={"org_slug": case.organization.slug,
                                                              "case_id": case.pk})}


# --- The sweep ------------------------------------------------------------------------------------

def followups_sweep(*, now: dt.datetime | None = None) -> dict:
    """Finds answers whose follow-up was lost (a Redis restart, a dead worker) and does it:
    recent responses with a matching rule but no alert, and alerts still pending after a grace
    period. Runs for every organization, each in its own context."""
    now = now or timezone.now()
    created = resent = 0
    for organization in Organization.objects.filter(is_active=True):
        with tenant_context(organization), unit("followups sweep of organization", organization.pk):
            if not Rule.objects.filter(is_active=True).exists():
                continue
            recent = Response.objects.filter(created_at__gte=now - SWEEP_WINDOW,
                                             created_at__lte=now - ALERT_GRACE)
            for response in recent.exclude(alerts__isnull=False).select_related("survey", "employee"):
                if rules_matching(response):
                    for alert_id in response_follow_up(response=response):
                        task_enqueue("followups.alert_send", alert_id=alert_id, organization_id=organization.pk)
                        created += 1
            # Pending alerts whose task was lost, and failed ones from the last week (an outage
            # longer than the task's own retries must not lose a detractor's alert).
            stale = Alert.objects.filter(created_at__lte=now - ALERT_GRACE).filter(
                Q(status=Alert.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
                | Q(status=Alert.Status.FAILED, created_at__gte=now - SWEEP_WINDOW, attempts__lt=SWEEP_MAX_ATTEMPTS))
            for alert_id in stale.values_list("pk", flat=True):
                task_enqueue("followups.alert_send", alert_id=alert_id, organization_id=organization.pk)
                resent += 1
    return {"created": created, "resent": resent}


# --- Webhooks -------------------------------------------------------------------------------------

def webhook_create(*, organization: Organization, url: str, events: list[str], by: User) -> Webhook:
    webhooks.target_check(url)
    hook = Webhook.objects.create(organization=organization, url=url, events=events,
                                  secret=secrets.token_hex(24))
    audit_record(organization=organization, actor=by, action="webhook.created", target=hook, summary=url)
    return hook


def webhook_delete(*, webhook: Webhook, by: User | None) -> None:
    with transaction.atomic():
        audit_record(organization=webhook.organization, actor=by, action="webhook.deleted", target=webhook,
                     summary=webhook.url)
        webhook.delete()


def response_payload(response: Response) -> dict:
    """What a webhook carries of one answer (never an employee answer: see response_follow_up)."""
    return {
        "id": response.pk, "survey": {"id": response.survey_id, "name": response.survey.name},
        "score": response.score, "category": response.category, "comment": response.comment,
        "language": response.language, "channel": response.channel,
        "contact": None if response.contact is None else
        {"id": response.contact_id, "email": response.contact.email, "name": response.contact.name},
        "department": response.department.name if response.department_id else None,
        "created_at": response.created_at.isoformat(),
    }


def case_payload(case: Case) -> dict:
    return {"id": case.pk, "response_id": case.response_id, "status": case.status, "reason": case.reason,
            "owner": case.owner.email if case.owner else None, "due_at": case.due_at.isoformat(),
            "category": case.category}


def webhooks_queue(*, organization: Organization, event: str, key: str, payload: dict) -> list[int]:
    """One delivery per (webhook, event id): queued after commit."""
    ids = []
    for hook in Webhook.objects.filter(is_active=True):
        if event not in hook.events:
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(
            organization=organization, webhook=hook, event_id=key,
            defaults={"event": event, "payload": {"event": event, "id": key, "data": payload}})
        if created:
            ids.append(delivery.pk)
    for delivery_id in ids:
        task_enqueue_on_commit("followups.webhook_deliver", delivery_id=delivery_id, organization_id=organization.pk)
    return ids


def webhook_log_erase(*, organization: Organization, response_ids: list[int]) -> int:
    """Blanks the logged payloads about these answers (and their cases) in the delivery log."""
    if not response_ids:
        return 0
    keys = Q()
    for response_id in response_ids:
        keys |= Q(event_id=f"response.created:{response_id}") | Q(event_id=f"response.detractor:{response_id}")
    case_ids = list(Case.objects.filter(response_id__in=response_ids).values_list("pk", flat=True))
    for case_id in case_ids:
        keys |= Q(event_id__startswith=f"case.updated:{case_id}:")
    deliveries = WebhookDelivery.objects.filter(keys)
    # what has not gone yet never goes: it would carry the erased person
    deliveries.exclude(status=WebhookDelivery.Status.DELIVERED).update(
        status=WebhookDelivery.Status.FAILED, error="Not sent: the contact's personal data was erased.")
    return deliveries.update(payload={"erased": True})


def webhook_deliver(*, delivery: WebhookDelivery) -> str:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("webhook").get(pk=delivery.pk)
        if delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED):
            return delivery.status
        delivery.attempts += 1
        try:
            code = webhooks.post_signed(url=delivery.webhook.url, secret=delivery.webhook.secret,
                                        event=delivery.event, event_id=delivery.event_id, payload=delivery.payload)
            delivery.response_code = code
            ok = 200 <= code < 300
            delivery.error = "" if ok else f"HTTP {code}"
        except webhooks.TargetRefused as exc:
            ok, delivery.error = False, str(exc)[:500]
            delivery.attempts = MAX_ATTEMPTS  # never retried
        except Exception:  # network errors of every kind are retried, all logged in the same words
            ok, delivery.error = False, webhooks.UNREACHABLE
        if ok:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.status = WebhookDelivery.Status.RETRY
            delivery.next_attempt_at = timezone.now() + dt.timedelta(
                seconds=30 * 2 ** (delivery.attempts - 1) * random.uniform(0.8, 1.2))
        delivery.save()
    return delivery.status


def webhooks_retry_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = WebhookDelivery.objects.dangerously_unscoped().filter(status=WebhookDelivery.Status.RETRY,
                                                                next_attempt_at__lte=now)
    count = 0
    for delivery_id, organization_id in due.values_list("pk", "organization_id")[:1000]:
        task_enqueue("followups.webhook_deliver", delivery_id=delivery_id, organization_id=organization_id)
        count += 1
    return count


def webhook_send_test(*, webhook: Webhook) -> WebhookDelivery:
    key = f"test:{webhook.pk}:{timezone.now().timestamp()}"
    delivery = WebhookDelivery.objects.create(
        organization=webhook.organization, webhook=webhook, event="test", event_id=key,
        payload={"event": "test", "id": key, "data": {"message": "A test event from NPS Platform."}})
    webhook_deliver(delivery=delivery)
    delivery.refresh_from_db()
    if delivery.status == WebhookDelivery.Status.RETRY:  # a test is answered now, not retried later
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["status"])
    return delivery


def webhook_test_outcome(delivery: WebhookDelivery) -> str:
    """What the test button tells: the HTTP status if the target answered, else one sentence for
    every other failure (refused, timed out, reset, not allowed), so it cannot map ports."""
    if delivery.response_code:
        return f"HTTP {delivery.response_code}"
    return gettext("No HTTP answer: the address could not be reached or is not allowed.")


# --- The weekly digest ("smartloop") --------------------------------------------------------------

def digest_send_due(*, organization: Organization, now: dt.datetime) -> int:
    """On the organization's digest day, from 08:00 local time: each department's customer-facing
    employees get the last seven days' score and comments for their department (and the teams
    inside it). Employee surveys never appear (their answers are anonymous), and no employee is
    named unless the organization shows individual scores to all members."""
    if organization.digest_weekday is None:
        return 0
    local = now.astimezone(zoneinfo.ZoneInfo(organization.time_zone))
    if local.weekday() != organization.digest_weekday or local.hour < 8:
        return 0
    week = (local - dt.timedelta(days=local.weekday())).date()
    since = now - dt.timedelta(days=7)
    name_people = organization.employee_visibility == EmployeeVisibility.ALL_MEMBERS
    sent = 0
    departments = list(Department.objects.all())
    for department in departments:
        people = list(Employee.objects.filter(department=department, is_active=True, is_customer_facing=True)
                      .exclude(email=""))
        if not people or DigestSend.objects.filter(department=department, week=week).exists():
            continue
        reader = access.actor_for_digest(organization, {department.pk})
        responses = list(access.answer_rows(reader, Response.objects.filter(created_at__gte=since))
                         .select_related("employee", "survey").order_by("-created_at"))
        if not responses:
            continue
        counts = category_counts(r.score for r in responses)
        try:
            # One department's failure (a bad address, a mail server hiccup) is logged and retried
            # next hour; the other departments and organizations go on.
            # The record and the mail succeed together: a mail failure leaves it for the next hour.
            with transaction.atomic():
                DigestSend.objects.create(organization=organization, department=department, week=week,
                                          recipients=[p.email for p in people])
                mail_in_their_languages(
                    recipients=[(p.email, language_for(p.user, organization)) for p in people],
                    template="emails/digest",
                    subject=lambda d=department: gettext("%(department)s: this week's customer feedback")
                    % {"department": d.name},
                    context={"organization": organization, "department": department, "responses": responses[:50],
                             "since": since,
                             "count": len(responses), "nps": nps(*counts), "counts": counts,
                             "name_people": name_people})
        except IntegrityError:
            continue
        except Exception:
            log.exception("The digest of department %s failed; the others go on", department.pk)
            continue
        sent += 1
    return sent



def case_resurvey(*, case: Case, by: User, days: int = 14):
    """Asks the customer again, `days` after now, once the case is resolved: the survey goes out
    through the organization's re-survey campaign for it (a triggered campaign, made on first
    use, with no quiet period, since this follow-up is the point)."""
    response = case.response
    if response.survey.is_anonymous or response.contact is None:
        raise ValidationError("This answer is anonymous: there is nobody to ask again.")
    if case.status not in (Case.Status.RESOLVED, Case.Status.CLOSED):
        raise ValidationError("Resolve the case first; then ask the customer again.")
    campaign, _ = Campaign.objects.get_or_create(
        organization=case.organization, survey=response.survey, schedule=Campaign.Schedule.TRIGGERED,
        name=f"Re-survey after follow-up: {response.survey.name}"[:200],
        defaults={"status": Campaign.Status.ACTIVE, "quiet_period_days": 0, "trigger_delay_days": 0,
                  "created_by": by})
    if campaign.status != Campaign.Status.ACTIVE:
        campaign.status = Campaign.Status.ACTIVE
        campaign.save(update_fields=["status"])
    result = trigger_event(campaign=campaign, email=response.contact.email,
                           event_at=timezone.now() + dt.timedelta(days=days), external_id=f"case-{case.pk}")
    if result.invitation is None:
        raise ValidationError(f"Not scheduled: {result.reason}.")
    CaseEvent.objects.create(organization=case.organization, case=case, kind=CaseEvent.Kind.RESURVEY, actor=by,
                             text=f"The customer is asked again on {result.invitation.scheduled_for:%Y-%m-%d}.")
    return result.invitation
