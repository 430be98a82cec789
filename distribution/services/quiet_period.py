"""The quiet period: nobody is asked again within a campaign's (or their organization's) number
of days of their last invitation from any survey. It starts when an invitation is written
(`sql.invitations_insert`, `triggers.trigger_event`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from ..models import Campaign


def quiet_since(*, campaign: Campaign, at: dt.datetime) -> dt.datetime:
    """Whoever was invited after this moment is still in their quiet period at `at`."""
    return at - dt.timedelta(days=campaign.effective_quiet_days())


def outside_quiet_period(contacts: QuerySet, *, campaign: Campaign, at: dt.datetime) -> QuerySet:
    since = quiet_since(campaign=campaign, at=at)
    return contacts.filter(Q(last_invited_at__isnull=True) | Q(last_invited_at__lt=since))


def within_quiet_period(contact, *, campaign: Campaign, at: dt.datetime) -> bool:
    return bool(contact.last_invited_at and contact.last_invited_at > quiet_since(campaign=campaign, at=at))
