"""Campaigns and their sends. The minute tick (`distribution_tick`) is the only scheduler: it
claims due campaigns and due emails with SELECT … FOR UPDATE SKIP LOCKED and hands ids to
workers. Every effect has a unique row — one invitation per (campaign, person), one EmailSend
per (invitation, kind) — so a repeated tick, a second beat or a task delivered twice sends
nothing twice, and because the state is here, a broker that forgets its queue loses nothing:
the next tick enqueues again whatever is still due."""

from __future__ import annotations

import datetime as dt
import logging
import random
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Suppression
from contacts.selectors import contact_filter
from nps_platform.mail import email_message_render
from nps_platform.tenancy import tenant_context
from nps_platform.tokens import nonce_make, token_from_nonce, token_hash
from organizations.models import Employee, Organization, User
from organizations.services import audit_record
from surveys.models import SurveyStatus
from surveys.presentation import survey_shown

from .models import Campaign, EmailSend, Invitation

log = logging.getLogger(__name__)

SEND_BATCH = 100
MAX_ATTEMPTS = 5
ENQUEUE_LEASE = dt.timedelta(minutes=10)
STALE_CLAIM = dt.timedelta(minutes=15)
MORNING = (8, 11)  # sends are spread over 08:00–11:00 on weekdays, in the organization's time zone


class CampaignError(ValueError):
    pass


# --- Campaign lifecycle ----------------------------------------------------------------------

def campaign_validate(*, campaign: Campaign) -> None:
    survey = campaign.survey
    if survey.current_version_id is None or survey.status != SurveyStatus.PUBLISHED:
        raise CampaignError(f"The survey “{survey.name}” must be published (and not paused or closed) first.")
    if survey.is_anonymous != (campaign.audience == Campaign.Audience.EMPLOYEES):
        raise CampaignError("Employee (eNPS) surveys go to employees, and customer surveys to contacts.")
    if campaign.audience == Campaign.Audience.SEGMENT and campaign.segment_id is None:
        raise CampaignError("Choose the segment.")
    if campaign.audience == Campaign.Audience.TAG and campaign.tag_id is None:
        raise CampaignError("Choose the tag.")
    if campaign.schedule == Campaign.Schedule.RECURRING:
        if not campaign.every:
            raise CampaignError("Choose how often the campaign runs.")
        if not (campaign.sample_size or campaign.sample_percent):
            raise CampaignError("Say how many contacts, or what share of the audience, to ask each period.")


@transaction.atomic
def campaign_start(*, campaign: Campaign, by: User) -> Campaign:
    campaign_validate(campaign=campaign)
    now = timezone.now()
    if campaign.schedule == Campaign.Schedule.TRIGGERED:
        campaign.status, campaign.next_run_at = Campaign.Status.ACTIVE, None
    else:
        campaign.status = Campaign.Status.SCHEDULED
        campaign.next_run_at = max(campaign.send_at or now, now) if campaign.send_at else now
    campaign.save(update_fields=["status", "next_run_at"])
    audit_record(organization=campaign.organization, actor=by, action="campaign.started", target=campaign,
                 summary=campaign.name)
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, by: User) -> Campaign:
    campaign.status = Campaign.Status.PAUSED
    campaign.save(update_fields=["status"])
    audit_record(organization=campaign.organization, actor=by, action="campaign.paused", target=campaign,
                 summary=campaign.name)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, by: User) -> Campaign:
    campaign_validate(campaign=campaign)
    active = campaign.schedule == Campaign.Schedule.TRIGGERED or (
        campaign.schedule == Campaign.Schedule.RECURRING and campaign.last_run_at is not None)
    campaign.status = Campaign.Status.ACTIVE if active else Campaign.Status.SCHEDULED
    campaign.save(update_fields=["status"])
    return campaign


# --- Audience ----------------------------------------------------------------------------------

def _suppressed_emails() -> set[str]:
    return set(Suppression.objects.annotate(e=Lower("email")).values_list("e", flat=True))


def audience_contacts(*, campaign: Campaign):
    if campaign.audience == Campaign.Audience.SEGMENT:
        return contact_filter(campaign.segment.filters)
    if campaign.audience == Campaign.Audience.TAG:
        return Contact.objects.filter(tags=campaign.tag)
    return Contact.objects.all()


def audience_eligible(*, campaign: Campaign, now: dt.datetime) -> list:
    """The people this run may invite: not suppressed, not invited by this campaign already,
    and (contacts) not surveyed within the quiet period by any survey."""
    suppressed = _suppressed_emails()
    if campaign.audience == Campaign.Audience.EMPLOYEES:
        already = set(Invitation.objects.filter(campaign=campaign).values_list("employee_id", flat=True))
        people = Employee.objects.filter(is_active=True).exclude(email="")
        return [e for e in people if e.pk not in already and e.email.lower() not in suppressed]
    quiet_since = now - dt.timedelta(days=campaign.effective_quiet_days())
    qs = (audience_contacts(campaign=campaign)
          .filter(Q(last_invited_at__isnull=True) | Q(last_invited_at__lt=quiet_since))
          .exclude(invitations__campaign=campaign))
    return [c for c in qs.order_by("pk") if c.email.lower() not in suppressed]


def _morning_slots(*, organization: Organization, start: dt.datetime, end: dt.datetime, count: int,
                   rng: random.Random) -> list[dt.datetime]:
    """`count` moments spread evenly over the weekday mornings between start and end, in the
    organization's time zone; the first is never before `start`."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    local = start.astimezone(tz)
    windows = []
    day = local.date()
    while dt.datetime.combine(day, dt.time(0), tz) < end.astimezone(tz) or not windows:
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, dt.time(MORNING[0]), tz)
            closes = min(dt.datetime.combine(day, dt.time(MORNING[1]), tz), end.astimezone(tz))
            if closes > local and closes > opens:
                windows.append((max(opens, local), closes))
        day += dt.timedelta(days=1)
        if len(windows) > 400:
            break
    if not windows:
        return [start] * count
    slots = []
    for i in range(count):
        window_start, window_end = windows[i * len(windows) // max(count, 1)]
        span = (window_end - window_start).total_seconds()
        slots.append(window_start + dt.timedelta(seconds=rng.uniform(0, span)))
    return sorted(slots)


def _language_for(person, definition: dict) -> str:
    language = getattr(person, "language", "") or ""
    return language if language in definition["languages"] else definition["default_language"]


def _invitation_for(campaign: Campaign, person, definition: dict, scheduled_for: dt.datetime,
                    **extra) -> Invitation:
    is_employee = isinstance(person, Employee)
    return Invitation(
        organization=campaign.organization, campaign=campaign, survey=campaign.survey,
        contact=None if is_employee else person, employee=person if is_employee else None,
        email=person.email.lower(), language=_language_for(person, definition),
        token_nonce=(nonce := nonce_make()),
        token_hash=token_hash(token_from_nonce(organization_id=campaign.organization_id, nonce=nonce)),
        scheduled_for=scheduled_for,
        expires_at=scheduled_for + dt.timedelta(days=campaign.link_valid_days), **extra,
    )


def invitations_create(*, campaign: Campaign, people: list, slots: list[dt.datetime]) -> int:
    definition = campaign.survey.current_version.definition
    invitations = [_invitation_for(campaign, p, definition, s) for p, s in zip(people, slots, strict=True)]
    created = Invitation.objects.bulk_create(invitations, batch_size=1000, ignore_conflicts=True)
    # The quiet period starts when a survey is on its way (one statement per 1 000 contacts).
    contacts = [Contact(pk=p.pk, last_invited_at=s) for p, s in zip(people, slots, strict=True)
                if isinstance(p, Contact)]
    Contact.objects.bulk_update(contacts, ["last_invited_at"], batch_size=1000)
    return len(created)


def _next_period_start(campaign: Campaign, after: dt.datetime) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(campaign.organization.time_zone)
    local = after.astimezone(tz)
    if campaign.every == Campaign.Every.WEEK:
        return after + dt.timedelta(days=7)
    months = 1 if campaign.every == Campaign.Every.MONTH else 3
    month = local.month - 1 + months
    year = local.year + month // 12
    first = dt.datetime(year, month % 12 + 1, 1, MORNING[0], tzinfo=tz)
    return first.astimezone(dt.UTC)


def campaign_run(*, campaign: Campaign, now: dt.datetime) -> int:
    """One run of a due campaign: pick the people and schedule their invitations."""
    rng = random.Random(f"{campaign.pk}:{now.isoformat()}")
    if campaign.survey.status != SurveyStatus.PUBLISHED:
        return 0  # a paused or closed survey sends nothing; the campaign waits
    eligible = audience_eligible(campaign=campaign, now=now)
    if campaign.schedule == Campaign.Schedule.ONCE:
        count = invitations_create(campaign=campaign, people=eligible, slots=[now] * len(eligible))
        campaign.status, campaign.next_run_at = Campaign.Status.FINISHED, None
    else:  # recurring: a rolling sample spread over the period's weekday mornings
        audience_size = len(eligible) if campaign.audience == Campaign.Audience.EMPLOYEES else \
            audience_contacts(campaign=campaign).count()
        wanted = campaign.sample_size or max(1, round(audience_size * (campaign.sample_percent or 0) / 100))
        sample = rng.sample(eligible, min(wanted, len(eligible)))
        next_run = _next_period_start(campaign, now)
        slots = _morning_slots(organization=campaign.organization, start=now, end=next_run, count=len(sample),
                               rng=rng)
        count = invitations_create(campaign=campaign, people=sample, slots=slots)
        campaign.status = Campaign.Status.ACTIVE
        campaign.next_run_at = next_run
    campaign.last_run_at = now
    campaign.save(update_fields=["status", "next_run_at", "last_run_at"])
    return count


# --- Triggered campaigns -------------------------------------------------------------------------

@dataclass
class TriggerResult:
    invitation: Invitation | None
    reason: str  # "scheduled", or why not


def trigger_event(*, campaign: Campaign, email: str, event_at: dt.datetime, name: str = "", language: str = "",
                  external_id: str = "") -> TriggerResult:
    """An event (a purchase, a service visit) for one person: create the contact if new and
    schedule the survey `trigger_delay_days` later, at a weekday morning hour."""
    from contacts.models import Contact

    if campaign.schedule != Campaign.Schedule.TRIGGERED or campaign.status != Campaign.Status.ACTIVE:
        return TriggerResult(None, "the campaign is not an active triggered campaign")
    email = email.strip().lower()
    with transaction.atomic():
        contact = Contact.objects.filter(email__iexact=email).first()
        if contact is None:
            contact = Contact.objects.create(organization=campaign.organization, email=email, name=name,
                                             language=language)
        if email in _suppressed_emails():
            return TriggerResult(None, "the address is on the suppression list")
        due = event_at + dt.timedelta(days=campaign.trigger_delay_days)
        quiet_since = due - dt.timedelta(days=campaign.effective_quiet_days())
        if contact.last_invited_at and contact.last_invited_at > quiet_since:
            return TriggerResult(None, "the contact was surveyed within the quiet period")
        if Invitation.objects.filter(campaign=campaign, contact=contact).exists():
            return TriggerResult(None, "the contact already has an invitation from this campaign")
        rng = random.Random(f"{campaign.pk}:{contact.pk}")
        slot = _morning_slots(organization=campaign.organization, start=max(due, timezone.now()),
                              end=max(due, timezone.now()) + dt.timedelta(days=3), count=1, rng=rng)[0]
        definition = campaign.survey.current_version.definition
        invitation = _invitation_for(campaign, contact, definition, slot, event_at=event_at,
                                     external_id=external_id[:100])
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            return TriggerResult(None, "the contact already has an invitation from this campaign")
        contact.last_invited_at = slot
        contact.save(update_fields=["last_invited_at"])
    return TriggerResult(invitation, "scheduled")


# --- The tick ------------------------------------------------------------------------------------

def _claim_due_campaigns(now: dt.datetime) -> list[int]:
    with transaction.atomic():
        ids = list(Campaign.objects.dangerously_unscoped().select_for_update(skip_locked=True)
                   .filter(status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE], next_run_at__lte=now)
                   .values_list("pk", flat=True)[:50])
    return ids


def campaigns_run_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    total = 0
    for campaign_id in _claim_due_campaigns(now):
        with transaction.atomic():
            campaign = (Campaign.objects.dangerously_unscoped().select_for_update(skip_locked=True, of=("self",))
                        .select_related("organization", "survey__current_version")
                        .filter(pk=campaign_id, next_run_at__lte=now,
                                status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE]).first())
            if campaign is None:
                continue  # another tick has it, or it moved on
            with tenant_context(campaign.organization):
                total += campaign_run(campaign=campaign, now=now)
    return total


def _claim(qs, lease_field: str, now: dt.datetime, limit: int) -> dict[int, list[int]]:
    """Marks up to `limit` rows as enqueued now; returns their ids by organization."""
    with transaction.atomic():
        rows = list(qs.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "organization_id")[:limit])
        if rows:
            Invitation.objects.dangerously_unscoped().filter(pk__in=[r[0] for r in rows]).update(**{lease_field: now})
    by_org: dict[int, list[int]] = {}
    for pk, org in rows:
        by_org.setdefault(org, []).append(pk)
    return by_org


def sends_enqueue_due(*, now: dt.datetime | None = None, limit: int = 20000) -> int:
    from .tasks import invitations_send

    now = now or timezone.now()
    lease = now - ENQUEUE_LEASE
    base = Invitation.objects.dangerously_unscoped()
    due_invitations = base.filter(status=Invitation.Status.SCHEDULED, scheduled_for__lte=now,
                                  campaign__status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE,
                                                        Campaign.Status.FINISHED]) \
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lease)) \
        .exclude(sends__kind=EmailSend.Kind.INVITATION)  # a claimed send moves on by its own retry clock
    reminders = base.filter(status=Invitation.Status.SENT, responded_at__isnull=True, reminder_sent_at__isnull=True,
                            expires_at__gt=now, campaign__reminder_after_days__isnull=False,
                            campaign__status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE,
                                                  Campaign.Status.FINISHED]) \
        .filter(Q(reminder_enqueued_at__isnull=True) | Q(reminder_enqueued_at__lt=lease)) \
        .exclude(sends__kind=EmailSend.Kind.REMINDER)
    reminders = [r for r in reminders.values("pk", "sent_at", "campaign__reminder_after_days")
                 if r["sent_at"] + dt.timedelta(days=r["campaign__reminder_after_days"]) <= now]
    count = 0
    for kind, claimed in (
        (EmailSend.Kind.INVITATION, _claim(due_invitations.order_by("scheduled_for"), "enqueued_at", now, limit)),
        (EmailSend.Kind.REMINDER, _claim(base.filter(pk__in=[r["pk"] for r in reminders]), "reminder_enqueued_at",
                                         now, limit)),
    ):
        for organization_id, ids in claimed.items():
            for i in range(0, len(ids), SEND_BATCH):
                chunk = ids[i:i + SEND_BATCH]
                invitations_send.delay(organization_id=organization_id, invitation_ids=chunk, kind=kind)
                count += len(chunk)
    # Retries whose time has come.
    retry = (EmailSend.objects.dangerously_unscoped()
             .filter(status=EmailSend.Status.RETRY, next_attempt_at__lte=now)
             .values_list("organization_id", "invitation_id", "kind"))
    for organization_id, invitation_id, kind in retry[:limit]:
        invitations_send.delay(organization_id=organization_id, invitation_ids=[invitation_id], kind=kind)
        count += 1
    # A claim a worker never finished (it died mid-send) is not sent again: the message may
    # have left. It is marked failed and shows on the campaign page.
    EmailSend.objects.dangerously_unscoped().filter(status=EmailSend.Status.SENDING,
                                                    claimed_at__lt=now - STALE_CLAIM).update(
        status=EmailSend.Status.FAILED, error="The worker stopped while sending; not retried to avoid a duplicate.")
    return count


def distribution_tick(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    scheduled = campaigns_run_due(now=now)
    enqueued = sends_enqueue_due(now=now)
    return {"scheduled": scheduled, "enqueued": enqueued}


# --- Sending ----------------------------------------------------------------------------------

def invitation_link(invitation: Invitation, **query) -> str:
    token = token_from_nonce(organization_id=invitation.organization_id, nonce=invitation.token_nonce)
    url = settings.SITE_URL.rstrip("/") + reverse("respond", kwargs={"token": token})
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def unsubscribe_link(invitation: Invitation) -> str:
    token = token_from_nonce(organization_id=invitation.organization_id, nonce=invitation.token_nonce)
    return settings.SITE_URL.rstrip("/") + reverse("unsubscribe", kwargs={"token": token})


def invitation_email(*, invitation: Invitation, kind: str):
    """The email for one invitation, in its language: the question and the 0–10 buttons inside,
    each a link that opens the survey with that score chosen; a plain-text part; one-click
    unsubscribe headers (RFC 8058) and a footer link."""
    organization = invitation.organization
    definition = invitation.survey.current_version.definition
    shown = survey_shown(definition=definition, language=invitation.language, category=None)
    person = invitation.contact or invitation.employee
    unsubscribe = unsubscribe_link(invitation)
    context = {
        "organization": organization, "shown": shown, "kind": kind, "company": definition.get("company"),
        "name": (getattr(person, "name", "") or "").split(" ")[0] if person else "",
        "link": invitation_link(invitation),
        "score_links": [(n, invitation_link(invitation, score=n)) for n in range(11)],
        "unsubscribe": unsubscribe, "expires_at": invitation.expires_at,
        "logo_url": settings.SITE_URL.rstrip("/") + organization.logo.url if organization.logo else "",
        "anonymous": definition.get("anonymous", False),
    }
    campaign = invitation.campaign
    from_name = campaign.sender_name or organization.name
    from_address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip()
    message = email_message_render(
        to=[invitation.email], template="emails/survey_invitation", context=context, language=invitation.language,
        subject_template="emails/survey_invitation_subject.txt",
        from_email=f"{from_name} <{from_address}>",
        reply_to=[campaign.reply_to] if campaign.reply_to else None,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "X-NPS-Invitation": f"{invitation.organization_id}-{invitation.pk}"},
    )
    message.metadata = {"organization_id": invitation.organization_id, "invitation_id": invitation.pk}
    return message


def _claim_send(invitation: Invitation, kind: str, now: dt.datetime) -> EmailSend | None:
    """The one EmailSend row for (invitation, kind), claimed for sending, or None when it was
    sent already or is being sent. A row waiting to retry is taken as it is: the tick enqueues
    retries only when their time has come, and the row lock lets one worker win."""
    try:
        with transaction.atomic():
            return EmailSend.objects.create(organization=invitation.organization, invitation=invitation, kind=kind,
                                            status=EmailSend.Status.SENDING, attempts=1)
    except IntegrityError:
        pass
    with transaction.atomic():
        send = EmailSend.objects.select_for_update(skip_locked=True).filter(
            invitation=invitation, kind=kind, status=EmailSend.Status.RETRY).first()
        if send is None:
            return None
        send.status, send.attempts, send.claimed_at = EmailSend.Status.SENDING, send.attempts + 1, now
        send.save(update_fields=["status", "attempts", "claimed_at"])
        return send


def _still_wanted(invitation: Invitation, kind: str, suppressed: set[str], now: dt.datetime) -> str | None:
    if invitation.email.lower() in suppressed:
        return "suppressed"
    if invitation.status == Invitation.Status.CANCELLED:
        return "cancelled"
    if invitation.campaign.status == Campaign.Status.PAUSED:
        return "paused"
    if invitation.survey.status != SurveyStatus.PUBLISHED:
        return "survey not open"
    if invitation.expires_at <= now:
        return "expired"
    if kind == EmailSend.Kind.REMINDER and invitation.responded_at is not None:
        return "responded"
    return None


def invitations_send(*, organization: Organization, invitation_ids: list[int], kind: str) -> dict:
    """Sends a batch over one SMTP connection. Each message is claimed (a committed EmailSend
    row) before it goes out and marked sent after; an SMTP error sets it to retry with backoff,
    up to MAX_ATTEMPTS, then failed."""
    now = timezone.now()
    suppressed = _suppressed_emails()
    invitations = (Invitation.objects.filter(pk__in=invitation_ids)
                   .select_related("campaign", "survey__current_version", "contact", "employee", "organization"))
    result = {"sent": 0, "skipped": 0, "failed": 0}
    connection = get_connection()
    connection_open = False
    try:
        for invitation in invitations:
            reason = _still_wanted(invitation, kind, suppressed, now)
            if reason is not None:
                if kind == EmailSend.Kind.INVITATION and reason in ("suppressed", "cancelled", "expired"):
                    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SCHEDULED).update(
                        status=Invitation.Status.CANCELLED, last_error=reason)
                result["skipped"] += 1
                continue
            send = _claim_send(invitation, kind, now)
            if send is None:
                result["skipped"] += 1
                continue
            try:
                message = invitation_email(invitation=invitation, kind=kind)
                if not connection_open:
                    connection.open()  # one connection for the whole batch
                    connection_open = True
                message.connection = connection
                message.send()
            except Exception as exc:  # SMTP and provider errors alike: retry, then give up visibly
                log.warning("send failed for invitation %s: %s", invitation.pk, exc)
                connection.close()
                connection_open = False
                final = send.attempts >= MAX_ATTEMPTS
                send.status = EmailSend.Status.FAILED if final else EmailSend.Status.RETRY
                send.error = f"{exc.__class__.__name__}: {exc}"[:500]
                send.next_attempt_at = None if final else now + dt.timedelta(
                    seconds=60 * 2 ** (send.attempts - 1) * random.uniform(0.8, 1.2))
                send.save(update_fields=["status", "error", "next_attempt_at"])
                if final and kind == EmailSend.Kind.INVITATION:
                    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.FAILED,
                                                                       last_error=send.error)
                result["failed"] += 1
                continue
            sent_at = timezone.now()
            send.status, send.sent_at, send.error = EmailSend.Status.SENT, sent_at, ""
            send.message_id = (getattr(getattr(message, "anymail_status", None), "message_id", None)
                               or message.extra_headers["Message-ID"])[:255]
            send.save(update_fields=["status", "sent_at", "error", "message_id"])
            if kind == EmailSend.Kind.INVITATION:
                Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SENT, sent_at=sent_at,
                                                                   last_error="")
            else:
                Invitation.objects.filter(pk=invitation.pk).update(reminder_sent_at=sent_at)
            result["sent"] += 1
    finally:
        connection.close()
    return result


# --- Suppression, unsubscribe, bounces ---------------------------------------------------------

def invitations_cancel_for(*, email: str, reason: str) -> int:
    return Invitation.objects.filter(email__iexact=email, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.CANCELLED, last_error=reason)


def unsubscribe(*, invitation: Invitation) -> None:
    """One click, at once: the address joins the suppression list and nothing more is sent."""
    from contacts.services import suppression_add

    suppression_add(organization=invitation.organization, email=invitation.email,
                    reason=Suppression.Reason.UNSUBSCRIBED)


def delivery_event(*, organization: Organization, invitation_id: int | None, email: str, event: str) -> None:
    """A bounce or complaint reported by the mail provider (through django-anymail)."""
    from contacts.services import suppression_add

    reason = {"bounced": Suppression.Reason.BOUNCED, "complained": Suppression.Reason.COMPLAINED}[event]
    suppression_add(organization=organization, email=email, reason=reason)
    if invitation_id and event == "bounced":
        Invitation.objects.filter(pk=invitation_id).update(status=Invitation.Status.BOUNCED)


# --- The campaign page ------------------------------------------------------------------------

def campaign_progress(*, campaign: Campaign) -> dict:
    counts = Invitation.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        scheduled=Count("pk", filter=Q(status=Invitation.Status.SCHEDULED)),
        sent=Count("pk", filter=Q(status__in=[Invitation.Status.SENT])),
        failed=Count("pk", filter=Q(status=Invitation.Status.FAILED)),
        bounced=Count("pk", filter=Q(status=Invitation.Status.BOUNCED)),
        cancelled=Count("pk", filter=Q(status=Invitation.Status.CANCELLED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminder_sent_at__isnull=False)),
    )
    delivered = counts["sent"] + counts["bounced"]
    counts["response_rate"] = round(100 * counts["responded"] / delivered) if delivered else None
    counts["retrying"] = EmailSend.objects.filter(invitation__campaign=campaign, status=EmailSend.Status.RETRY).count()
    counts["errors"] = list(EmailSend.objects.filter(invitation__campaign=campaign, status__in=[
        EmailSend.Status.FAILED, EmailSend.Status.RETRY]).select_related("invitation")
        .order_by("-claimed_at")[:20])
    return counts

