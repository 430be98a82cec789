"""Reminders: one to each invitee who has not answered, the campaign's `reminder_after_days`
after their invitation went out, while their link is valid and the campaign runs."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from ..models import Campaign, EmailSend, Invitation


def reminders_due(*, now: dt.datetime, lease: dt.datetime) -> QuerySet:
    """The invitations whose reminder is due and not handed to a worker since `lease`."""
    base = Invitation.objects.dangerously_unscoped()
    reminders = base.filter(status=Invitation.Status.SENT, responded_at__isnull=True, reminder_sent_at__isnull=True,
                            expires_at__gt=now, campaign__reminder_after_days__isnull=False,
                            campaign__status__in=[Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE,
                                                  Campaign.Status.FINISHED]) \
        .filter(Q(reminder_enqueued_at__isnull=True) | Q(reminder_enqueued_at__lt=lease)) \
        .exclude(sends__kind=EmailSend.Kind.REMINDER)
    # (a bound on the days: one campaign's absurd value must not overflow everyone's tick)
    reminders = [r for r in reminders.values("pk", "sent_at", "campaign__reminder_after_days")
                 if r["sent_at"] + dt.timedelta(days=min(r["campaign__reminder_after_days"], 3650)) <= now]
    return base.filter(pk__in=[r["pk"] for r in reminders]).filter(
        Q(reminder_enqueued_at__isnull=True) | Q(reminder_enqueued_at__lt=lease))
