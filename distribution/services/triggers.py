"""Triggered campaigns: an event (a purchase, a service visit) for one person schedules the
survey a number of days later, at a weekday morning hour."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.services import contact_ensure

from ..models import Campaign, Invitation
from .audience import suppressed_emails
from .invitations import invitation_for
from .quiet_period import within_quiet_period
from .scheduling import morning_slots


@dataclass
class TriggerResult:
    invitation: Invitation | None
    reason: str  # "scheduled", or why not


def trigger_event(*, campaign: Campaign, email: str, event_at: dt.datetime, name: str = "", language: str = "",
                  external_id: str = "") -> TriggerResult:
    """An event (a purchase, a service visit) for one person: create the contact if new and
    schedule the survey `trigger_delay_days` later, at a weekday morning hour."""
    if campaign.schedule != Campaign.Schedule.TRIGGERED or campaign.status != Campaign.Status.ACTIVE:
        return TriggerResult(None, "the campaign is not an active triggered campaign")
    email = email.strip().lower()
    with transaction.atomic():
        contact, _created = contact_ensure(organization=campaign.organization, email=email, name=name,
                                           language=language)
        if email in suppressed_emails():
            return TriggerResult(None, "the address is on the suppression list")
        due = event_at + dt.timedelta(days=campaign.trigger_delay_days)
        if within_quiet_period(contact, campaign=campaign, at=due):
            return TriggerResult(None, "the contact was surveyed within the quiet period")
        if Invitation.objects.filter(campaign=campaign, contact=contact).exists():
            return TriggerResult(None, "the contact already has an invitation from this campaign")
        rng = random.Random(f"{campaign.pk}:{contact.pk}")
        slot = morning_slots(organization=campaign.organization, start=max(due, timezone.now()),
                             end=max(due, timezone.now()) + dt.timedelta(days=3), count=1, rng=rng)[0]
        definition = campaign.survey.current_version.definition
        invitation = invitation_for(campaign, contact, definition, slot, event_at=event_at,
                                    external_id=external_id[:100])
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            return TriggerResult(None, "the contact already has an invitation from this campaign")
        contact.last_invited_at = slot
        contact.save(update_fields=["last_invited_at"])
    return TriggerResult(invitation, "scheduled")
