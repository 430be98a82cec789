"""The minute tick (`distribution_tick`), the only scheduler: it claims due campaigns and due
emails with SELECT … FOR UPDATE SKIP LOCKED and hands ids to workers. Every effect has a unique
row — one invitation per (campaign, person), one EmailSend per (invitation, kind) — so a
repeated tick, a second beat or a task delivered twice sends nothing twice, and because the
state is here, a broker that forgets its queue loses nothing: the next tick enqueues again
whatever is still due. Batches go to `distribution.invitations_send` by name (the tasks module
imports these services, not the reverse)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nps_platform.celery import app, task_enqueue
from nps_platform.tenancy import tenant_context

from ..models import Campaign, EmailSend, Invitation
from .campaigns import campaign_run
from .reminders import reminders_due

log = logging.getLogger(__name__)

SEND_BATCH = 100  # invitations per task

# A batch handed to the workers is leased to them (`enqueued_at`) for SEND_LEASE_SECONDS, and a
# worker running it renews the lease (send_lease_renew) every third of that: a lease that runs
# out belongs to a lost task (a dead worker, a flushed broker) and the next tick hands its ids
# out again. While the queue still holds tasks, ids waiting in it are not lost: then only a
# lease older than QUEUED_LEASE is handed out again.
QUEUED_LEASE = dt.timedelta(minutes=10)


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
    now = now or timezone.now()
    lease = now - (QUEUED_LEASE if _queue_backlog() else send_lease())
    base = Invitation.objects.dangerously_unscoped()
    due_invitations = base.filter(status=Invitation.Status.SCHEDULED, scheduled_for__lte=now,
                                  campaign__status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE,
                                                        Campaign.Status.FINISHED]) \
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lease)) \
        .exclude(sends__kind=EmailSend.Kind.INVITATION)  # a claimed send moves on by its own retry clock
    reminders = reminders_due(now=now, lease=lease)
    count = 0
    stale_claims_resend(now=now)  # before the retries below, so they go out in this tick
    for kind, qs, lease_field in (
        (EmailSend.Kind.INVITATION, due_invitations.order_by("scheduled_for"), "enqueued_at"),
        (EmailSend.Kind.REMINDER, reminders, "reminder_enqueued_at"),
    ):
        handed = 0
        while handed < limit:  # a slice at a time: short transactions, and a worker's memory stays flat
            claimed = _claim(qs, lease_field, now, min(CLAIM_SLICE, limit - handed))
            if not claimed:
                break
            for organization_id, ids in claimed.items():
                for i in range(0, len(ids), SEND_BATCH):
                    chunk = ids[i:i + SEND_BATCH]
                    task_enqueue("distribution.invitations_send", organization_id=organization_id,
                                 invitation_ids=chunk, kind=kind)
                    handed += len(chunk)
        count += handed
    # Retries whose time has come.
    retry = (EmailSend.objects.dangerously_unscoped()
             .filter(status=EmailSend.Status.RETRY, next_attempt_at__lte=now)
             .values_list("organization_id", "invitation_id", "kind"))
    for organization_id, invitation_id, kind in retry[:limit]:
        task_enqueue("distribution.invitations_send", organization_id=organization_id,
                     invitation_ids=[invitation_id], kind=kind)
        count += 1
    return count


def distribution_tick(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    scheduled = campaigns_run_due(now=now)
    enqueued = sends_enqueue_due(now=now)
    return {"scheduled": scheduled, "enqueued": enqueued}
