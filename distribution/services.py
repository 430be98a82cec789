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
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from contacts.models import Contact, Suppression
from contacts.selectors import contact_filter
from nps_platform.tenancy import tenant_context
from nps_platform.tokens import nonce_make, token_from_nonce, token_hash
from organizations.models import Employee, Organization, User
from organizations.services import audit_record
from surveys.models import SurveyStatus

from .emails import invitation_email, invitation_prebuilt
from .models import Campaign, EmailSend, Invitation

log = logging.getLogger(__name__)

SEND_BATCH = 100
CLAIM_CHUNK = 20  # messages claimed (and marked sent) with one statement
RUN_CHUNK = 2000  # people per statement when a campaign run makes its invitations
MAX_ATTEMPTS = 5
# A batch handed to the workers is leased to them (`enqueued_at`) for SEND_LEASE_SECONDS, and a
# worker running it renews the lease (send_lease_renew) every third of that: a lease that runs
# out belongs to a lost task (a dead worker, a flushed broker) and the next tick hands its ids
# out again. While the queue still holds tasks, ids waiting in it are not lost: then only a
# lease older than QUEUED_LEASE is handed out again.
QUEUED_LEASE = dt.timedelta(minutes=10)
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
    and (contacts) not surveyed within the quiet period by any survey. Employees as objects,
    contacts as their ids, in id order."""
    suppressed = _suppressed_emails()
    if campaign.audience == Campaign.Audience.EMPLOYEES:
        already = set(Invitation.objects.filter(campaign=campaign).values_list("employee_id", flat=True))
        people = Employee.objects.filter(is_active=True).exclude(email="")
        return [e for e in people if e.pk not in already and e.email.lower() not in suppressed]
    quiet_since = now - dt.timedelta(days=campaign.effective_quiet_days())
    qs = (audience_contacts(campaign=campaign)
          .filter(Q(last_invited_at__isnull=True) | Q(last_invited_at__lt=quiet_since))
          .exclude(invitations__campaign=campaign))
    # Contacts as their ids: an audience of 100 000 is a list of ints, not of model instances.
    return [pk for pk, email in qs.order_by("pk").values_list("pk", "email").iterator(chunk_size=RUN_CHUNK)
            if email.lower() not in suppressed]


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


def _invitation_values(campaign: Campaign, person, definition: dict, scheduled_for: dt.datetime) -> dict:
    is_employee = isinstance(person, Employee)
    nonce = nonce_make()
    return {
        "contact_id": None if is_employee else person.pk, "employee_id": person.pk if is_employee else None,
        "email": person.email.lower(), "language": _language_for(person, definition), "token_nonce": nonce,
        "token_hash": token_hash(token_from_nonce(organization_id=campaign.organization_id, nonce=nonce)),
        "scheduled_for": scheduled_for,
        "expires_at": scheduled_for + dt.timedelta(days=campaign.link_valid_days),
    }


def _invitation_for(campaign: Campaign, person, definition: dict, scheduled_for: dt.datetime,
                    **extra) -> Invitation:
    values = _invitation_values(campaign, person, definition, scheduled_for)
    is_employee = values.pop("employee_id") is not None
    values.pop("contact_id")
    return Invitation(organization=campaign.organization, campaign=campaign, survey=campaign.survey,
                      contact=None if is_employee else person, employee=person if is_employee else None,
                      **values, **extra)


_INVITATION_COLUMNS = ("contact_id", "employee_id", "email", "language", "token_nonce", "token_hash",
                       "scheduled_for", "expires_at")
_INVITATION_TYPES = ("bigint", "bigint", "text", "text", "text", "text", "timestamptz", "timestamptz")


def invitations_create(*, campaign: Campaign, people: list, slots: list[dt.datetime]) -> int:
    """Invitations for `people` (employees, or contact ids) at `slots`, RUN_CHUNK at a time: the
    contacts of a chunk are read in one query, their invitations written with one INSERT (an
    existing invitation for the campaign and person is left as it is) and their quiet period
    started with one UPDATE. Returns how many invitations were made."""
    definition = campaign.survey.current_version.definition
    organization_id = campaign.organization_id
    columns = ", ".join(_INVITATION_COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for t in _INVITATION_TYPES)
    count = 0
    for start in range(0, len(people), RUN_CHUNK):
        chunk, chunk_slots = people[start:start + RUN_CHUNK], slots[start:start + RUN_CHUNK]
        if chunk and isinstance(chunk[0], int):
            found = {c.pk: c for c in Contact.objects.filter(pk__in=chunk).only("pk", "email", "language")}
            chunk = [found.get(pk) for pk in chunk]
        rows = [(p, s) for p, s in zip(chunk, chunk_slots, strict=True) if p is not None]
        values = [_invitation_values(campaign, p, definition, s) for p, s in rows]
        contacts = [(p.pk, s) for p, s in rows if isinstance(p, Contact)]
        if not _postgres():
            count += _invitations_write_portably(campaign, values, contacts)
            continue
        created_at = timezone.now()
        with db.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Invitation._meta.db_table} (organization_id, campaign_id, survey_id, {columns}, "  # noqa: S608
                f"status, external_id, last_error, created_at) SELECT %s, %s, %s, {columns}, %s, '', '', %s "
                f"FROM unnest({arrays}) AS v({columns}) ON CONFLICT DO NOTHING",
                [organization_id, campaign.pk, campaign.survey_id, Invitation.Status.SCHEDULED, created_at,
                 *([v[c] for v in values] for c in _INVITATION_COLUMNS)])
            count += cursor.rowcount
            # The quiet period starts when a survey is on its way.
            if contacts:
                cursor.execute(
                    f"UPDATE {Contact._meta.db_table} AS c SET last_invited_at = v.at "  # noqa: S608
                    "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) "
                    "WHERE c.id = v.id AND c.organization_id = %s",
                    [[pk for pk, _ in contacts], [at for _, at in contacts], organization_id])
    return count


def _postgres() -> bool:
    """PostgreSQL takes the set-based statements below; the embedded mode's SQLite gets the same
    effect through the ORM, a row at a time."""
    return db.vendor == "postgresql"


def _invitations_write_portably(campaign: Campaign, values: list[dict], contacts: list[tuple]) -> int:
    before = Invitation.objects.filter(campaign=campaign).count()
    Invitation.objects.bulk_create(
        [Invitation(organization_id=campaign.organization_id, campaign=campaign, survey_id=campaign.survey_id,
                    status=Invitation.Status.SCHEDULED, **v) for v in values], ignore_conflicts=True)
    Contact.objects.bulk_update([Contact(pk=pk, last_invited_at=at) for pk, at in contacts], ["last_invited_at"])
    return Invitation.objects.filter(campaign=campaign).count() - before


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
    campaign.last_error, campaign.last_error_at = "", None
    campaign.save(update_fields=["status", "next_run_at", "last_run_at", "last_error", "last_error_at"])
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


RUN_RETRY = dt.timedelta(minutes=15)  # a campaign whose run failed is tried again after this


def campaigns_run_due(*, now: dt.datetime | None = None) -> int:
    """Runs each due campaign in its own transaction: one that fails (its organization's data,
    a bug) is rolled back, its error is kept on the campaign for its admins, it is tried again
    after RUN_RETRY, and every other campaign runs."""
    now = now or timezone.now()
    total = 0
    for campaign_id in _claim_due_campaigns(now):
        try:
            with transaction.atomic():
                campaign = (Campaign.objects.dangerously_unscoped()
                            .select_for_update(skip_locked=True, of=("self",))
                            .select_related("organization", "survey__current_version")
                            .filter(pk=campaign_id, next_run_at__lte=now,
                                    status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE]).first())
                if campaign is None:
                    continue  # another tick has it, or it moved on
                with tenant_context(campaign.organization):
                    total += campaign_run(campaign=campaign, now=now)
        except Exception as exc:
            log.exception("Campaign %s could not run; the other campaigns go on", campaign_id)
            Campaign.objects.dangerously_unscoped().filter(pk=campaign_id).update(
                last_error=f"{exc.__class__.__name__}: {exc}"[:1000], last_error_at=now,
                next_run_at=now + RUN_RETRY)
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


def send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SEND_LEASE_SECONDS)


def _queue_backlog() -> int:
    """Messages waiting in the default queue (0 when the broker cannot say)."""
    from nps_platform.celery import app

    if app.conf.task_always_eager:
        return 0
    try:
        with app.connection_for_write() as conn:
            return conn.default_channel.queue_declare(queue=app.conf.task_default_queue, passive=True).message_count
    except Exception:  # a broker that cannot count: the short lease applies
        return 0


def stale_claims_resend(*, now: dt.datetime) -> int:
    """Claims whose worker died (still "sending", their invitation's lease run out): the message
    may or may not have left, so it is sent again right away, flagged "may have been sent
    twice". At most one claim chunk per dead batch: claims go CLAIM_CHUNK at a time."""
    cutoff = now - send_lease()
    lease_out = {field: Q(**{f"invitation__{field}__lt": cutoff}) | Q(**{f"invitation__{field}__isnull": True})
                 for field in ("enqueued_at", "reminder_enqueued_at")}
    stale = (EmailSend.objects.dangerously_unscoped().filter(status=EmailSend.Status.SENDING, claimed_at__lt=cutoff)
             .filter(Q(kind=EmailSend.Kind.INVITATION) & lease_out["enqueued_at"]
                     | Q(kind=EmailSend.Kind.REMINDER) & lease_out["reminder_enqueued_at"]))
    return EmailSend.objects.dangerously_unscoped().filter(pk__in=list(stale.values_list("pk", flat=True)),
                                                           status=EmailSend.Status.SENDING).update(
        status=EmailSend.Status.RETRY, next_attempt_at=now, maybe_duplicate=True,
        error="The worker stopped while sending; sent again (it may have been sent twice).")


# Emails handed to the workers per tick (a minute). A worker renews its batch's lease, so a
# batch may take as long as it needs; 100 000 at ~300 a second take about six minutes.
ENQUEUE_LIMIT = 100_000
CLAIM_SLICE = 5_000  # rows claimed per transaction while handing them out


def sends_enqueue_due(*, now: dt.datetime | None = None, limit: int = ENQUEUE_LIMIT) -> int:
    from .tasks import invitations_send

    now = now or timezone.now()
    lease = now - (QUEUED_LEASE if _queue_backlog() else send_lease())
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
    # (a bound on the days: one campaign's absurd value must not overflow everyone's tick)
    reminders = [r for r in reminders.values("pk", "sent_at", "campaign__reminder_after_days")
                 if r["sent_at"] + dt.timedelta(days=min(r["campaign__reminder_after_days"], 3650)) <= now]
    reminders_due = base.filter(pk__in=[r["pk"] for r in reminders]).filter(
        Q(reminder_enqueued_at__isnull=True) | Q(reminder_enqueued_at__lt=lease))
    count = 0
    stale_claims_resend(now=now)  # before the retries below, so they go out in this tick
    for kind, qs, lease_field in (
        (EmailSend.Kind.INVITATION, due_invitations.order_by("scheduled_for"), "enqueued_at"),
        (EmailSend.Kind.REMINDER, reminders_due, "reminder_enqueued_at"),
    ):
        handed = 0
        while handed < limit:  # a slice at a time: short transactions, and a worker's memory stays flat
            claimed = _claim(qs, lease_field, now, min(CLAIM_SLICE, limit - handed))
            if not claimed:
                break
            for organization_id, ids in claimed.items():
                for i in range(0, len(ids), SEND_BATCH):
                    chunk = ids[i:i + SEND_BATCH]
                    invitations_send.delay(organization_id=organization_id, invitation_ids=chunk, kind=kind)
                    handed += len(chunk)
        count += handed
    # Retries whose time has come.
    retry = (EmailSend.objects.dangerously_unscoped()
             .filter(status=EmailSend.Status.RETRY, next_attempt_at__lte=now)
             .values_list("organization_id", "invitation_id", "kind"))
    for organization_id, invitation_id, kind in retry[:limit]:
        invitations_send.delay(organization_id=organization_id, invitation_ids=[invitation_id], kind=kind)
        count += 1
    return count


def distribution_tick(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    scheduled = campaigns_run_due(now=now)
    enqueued = sends_enqueue_due(now=now)
    return {"scheduled": scheduled, "enqueued": enqueued}


# --- Sending ----------------------------------------------------------------------------------

def _claim_sends(organization: Organization, invitations: list[Invitation], kind: str,
                 now: dt.datetime) -> dict[int, EmailSend]:
    """The EmailSend rows for these invitations, claimed for sending (committed), by invitation
    id; an invitation whose row exists already is left out — sent, or being sent — unless the
    row waits to retry. New rows are claimed with one INSERT … ON CONFLICT DO NOTHING: the rows
    it returns are ours. A row waiting to retry is taken as it is: the tick enqueues retries only
    when their time has come, and the row lock lets one worker win."""
    claimed_at = timezone.now()
    if _postgres():
        with db.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {EmailSend._meta.db_table} "  # noqa: S608 - our own table name
                "(organization_id, invitation_id, kind, status, attempts, claimed_at, message_id, error, "
                "maybe_duplicate) SELECT %s, i, %s, %s, 1, %s, '', '', false FROM unnest(%s::bigint[]) AS i "
                "ON CONFLICT ON CONSTRAINT emailsend_unique_kind DO NOTHING RETURNING id, invitation_id",
                [organization.pk, kind, EmailSend.Status.SENDING, claimed_at, [i.pk for i in invitations]])
            created = dict((invitation_id, pk) for pk, invitation_id in cursor.fetchall())
    else:
        created = {}
        for invitation in invitations:
            try:
                with transaction.atomic():
                    created[invitation.pk] = EmailSend.objects.create(
                        organization=organization, invitation=invitation, kind=kind, status=EmailSend.Status.SENDING,
                        attempts=1, claimed_at=claimed_at).pk
            except IntegrityError:
                pass
    claims = {}
    for invitation in invitations:
        if invitation.pk in created:
            claims[invitation.pk] = EmailSend(pk=created[invitation.pk], organization=organization,
                                              invitation=invitation, kind=kind, status=EmailSend.Status.SENDING,
                                              attempts=1, claimed_at=claimed_at)
            continue
        with transaction.atomic():
            send = EmailSend.objects.select_for_update(skip_locked=True).filter(
                invitation=invitation, kind=kind, status=EmailSend.Status.RETRY).first()
            if send is None:
                continue
            send.status, send.attempts, send.claimed_at = EmailSend.Status.SENDING, send.attempts + 1, claimed_at
            send.save(update_fields=["status", "attempts", "claimed_at"])
            claims[invitation.pk] = send
    return claims


def _mark_sent(organization: Organization, sent: list[tuple[int, int, dt.datetime, str]], kind: str) -> None:
    """(send id, invitation id, sent at, message id) → the sends and their invitations marked
    sent, two statements in one transaction."""
    if not sent:
        return
    if not _postgres():
        with transaction.atomic():
            for send_id, invitation_id, sent_at, message_id in sent:
                EmailSend.objects.filter(pk=send_id).update(status=EmailSend.Status.SENT, sent_at=sent_at, error="",
                                                            message_id=message_id)
                Invitation.objects.filter(pk=invitation_id).update(
                    **({"status": Invitation.Status.SENT, "sent_at": sent_at, "last_error": ""}
                       if kind == EmailSend.Kind.INVITATION else {"reminder_sent_at": sent_at}))
        return
    send_ids, invitation_ids, times, message_ids = (list(column) for column in zip(*sent, strict=True))
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EmailSend._meta.db_table} AS s SET status = %s, sent_at = v.sent_at, error = '', "  # noqa: S608
            "message_id = v.message_id FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[]) "
            "AS v(id, sent_at, message_id) WHERE s.id = v.id AND s.organization_id = %s",
            [EmailSend.Status.SENT, send_ids, times, message_ids, organization.pk])
        if kind == EmailSend.Kind.INVITATION:
            assignments, params = "status = %s, sent_at = v.sent_at, last_error = ''", [Invitation.Status.SENT]
        else:
            assignments, params = "reminder_sent_at = v.sent_at", []
        cursor.execute(
            f"UPDATE {Invitation._meta.db_table} AS i SET {assignments} "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, sent_at) "
            "WHERE i.id = v.id AND i.organization_id = %s",
            [*params, invitation_ids, times, organization.pk])


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


def _send_one(connection, invitation: Invitation, kind: str, cache: dict) -> str:
    """Sends one invitation over the open connection; returns its message id. Over SMTP the
    message goes as ready bytes from the batch's skeleton (distribution.emails) when it can."""
    if isinstance(connection, SMTPBackend):
        prebuilt = invitation_prebuilt(invitation=invitation, kind=kind, cache=cache)
        if prebuilt is not None:
            connection.connection.sendmail(prebuilt.envelope_from, [prebuilt.to], prebuilt.data)
            return prebuilt.message_id
    message = invitation_email(invitation=invitation, kind=kind, cache=cache)
    message.connection = connection
    message.send()
    return getattr(getattr(message, "anymail_status", None), "message_id", None) or message.extra_headers["Message-ID"]


def send_lease_renew(*, invitation_ids: list[int], kind: str) -> None:
    """The batch's lease, renewed by the worker running it (one UPDATE for the batch)."""
    field = "enqueued_at" if kind == EmailSend.Kind.INVITATION else "reminder_enqueued_at"
    now = timezone.now()
    Invitation.objects.filter(pk__in=invitation_ids, **{f"{field}__lt": now}).update(**{field: now})  # never back


def invitations_send(*, organization: Organization, invitation_ids: list[int], kind: str) -> dict:
    """Sends a batch over one SMTP connection, CLAIM_CHUNK messages at a time: each chunk's
    messages are claimed (committed EmailSend rows, one statement) before any of them goes out,
    and marked sent together after (one transaction). An SMTP error sets that message to retry
    with backoff, up to MAX_ATTEMPTS, then failed. The batch's lease is renewed as it runs
    (every third of SEND_LEASE_SECONDS, one UPDATE). A worker killed mid-batch leaves at most
    one chunk claimed and unmarked: when its lease runs out the tick sends those again, flagged
    "may have been sent twice", and hands the rest of the batch out again."""
    now = timezone.now()
    send_lease_renew(invitation_ids=invitation_ids, kind=kind)
    renewed, renew_every = time.monotonic(), settings.SEND_LEASE_SECONDS / 3
    suppressed = _suppressed_emails()
    invitations = (Invitation.objects.filter(pk__in=invitation_ids)
                   .select_related("campaign", "survey__current_version", "contact", "employee", "organization"))
    result = {"sent": 0, "skipped": 0, "failed": 0}
    wanted = []
    for invitation in invitations:
        reason = _still_wanted(invitation, kind, suppressed, now)
        if reason is None:
            wanted.append(invitation)
            continue
        if kind == EmailSend.Kind.INVITATION and reason in ("suppressed", "cancelled", "expired"):
            Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SCHEDULED).update(
                status=Invitation.Status.CANCELLED, last_error=reason)
        result["skipped"] += 1
    connection = get_connection()
    connection_open = False
    render_cache: dict = {}
    try:
        for start in range(0, len(wanted), CLAIM_CHUNK):
            chunk = wanted[start:start + CLAIM_CHUNK]
            claims = _claim_sends(organization, chunk, kind, now)
            sent: list[tuple[int, int, dt.datetime, str]] = []
            try:
                for invitation in chunk:
                    send = claims.get(invitation.pk)
                    if send is None:
                        result["skipped"] += 1
                        continue
                    if time.monotonic() - renewed > renew_every:  # a clock read; an UPDATE when due
                        send_lease_renew(invitation_ids=invitation_ids, kind=kind)
                        renewed = time.monotonic()
                    try:
                        if not connection_open:
                            connection.open()  # one connection for the whole batch
                            connection_open = True
                        message_id = _send_one(connection, invitation, kind, render_cache)
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
                    sent.append((send.pk, invitation.pk, timezone.now(), message_id[:255]))
                    result["sent"] += 1
            finally:
                _mark_sent(organization, sent, kind)
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
    # What the sends say (one query): retrying, being sent, and sent again after a worker died.
    sends = EmailSend.objects.filter(invitation__campaign=campaign).aggregate(
        retrying=Count("pk", filter=Q(status=EmailSend.Status.RETRY)),
        sending=Count("pk", filter=Q(status=EmailSend.Status.SENDING)),
        maybe_twice=Count("pk", filter=Q(maybe_duplicate=True)),
    )
    counts.update(sends)
    counts["errors"] = list(EmailSend.objects.filter(invitation__campaign=campaign).filter(
        Q(status__in=[EmailSend.Status.FAILED, EmailSend.Status.RETRY]) | Q(maybe_duplicate=True))
        .select_related("invitation").order_by("-claimed_at")[:20])
    return counts

