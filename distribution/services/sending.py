"""Sending a batch of invitations or reminders over one connection: each message is claimed
(an EmailSend row per invitation and kind) before it goes and marked sent after, so a batch run
twice sends nothing twice; a lost claim is picked up by the tick (`tick.stale_claims_resend`)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.utils import timezone

from organizations.models import Organization
from surveys.models import SurveyStatus

from ..emails import invitation_email, invitation_prebuilt
from ..models import Campaign, EmailSend, Invitation
from . import sql
from .audience import suppressed_emails

log = logging.getLogger(__name__)

CLAIM_CHUNK = 20  # messages claimed (and marked sent) with one statement
MAX_ATTEMPTS = 5


def _claim_sends(organization: Organization, invitations: list[Invitation], kind: str,
                 now: dt.datetime) -> dict[int, EmailSend]:
    """The EmailSend rows for these invitations, claimed for sending (committed), by invitation
    id; an invitation whose row exists already is left out — sent, or being sent — unless the
    row waits to retry. New rows are claimed with one INSERT … ON CONFLICT DO NOTHING: the rows
    it returns are ours. A row waiting to retry is taken as it is: the tick enqueues retries only
    when their time has come, and the row lock lets one worker win."""
    claimed_at = timezone.now()
    created = sql.sends_claim_new(organization=organization, invitations=invitations, kind=kind,
                                  claimed_at=claimed_at)
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
    suppressed = suppressed_emails()
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
                sql.sends_mark_sent(organization=organization, sent=sent, kind=kind)
    finally:
        connection.close()
    return result
