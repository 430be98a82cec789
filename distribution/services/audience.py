"""Who a campaign may invite: its audience (a segment, a tag, every contact, or the employees),
minus the suppression list, anyone this campaign invited already, and contacts in their quiet
period."""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import Lower

from contacts.models import Contact, Suppression
from contacts.selectors import contact_filter
from organizations.models import Employee

from ..models import Campaign, Invitation
from .invitations import RUN_CHUNK
from .quiet_period import outside_quiet_period


def suppressed_emails() -> set[str]:
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
    suppressed = suppressed_emails()
    if campaign.audience == Campaign.Audience.EMPLOYEES:
        already = set(Invitation.objects.filter(campaign=campaign).values_list("employee_id", flat=True))
        people = Employee.objects.filter(is_active=True).exclude(email="")
        return [e for e in people if e.pk not in already and e.email.lower() not in suppressed]
    qs = (outside_quiet_period(audience_contacts(campaign=campaign), campaign=campaign, at=now)
          .exclude(invitations__campaign=campaign))
    # Contacts as their ids: an audience of 100 000 is a list of ints, not of model instances.
    return [pk for pk, email in qs.order_by("pk").values_list("pk", "email").iterator(chunk_size=RUN_CHUNK)
            if email.lower() not in suppressed]
