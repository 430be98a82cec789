"""Invitations: one per (campaign, person), each with its own link (a nonce kept, only the
token's hash stored) in the person's language, written a chunk at a time."""

from __future__ import annotations

import datetime as dt

from contacts.models import Contact
from nps_platform.tokens import nonce_make, token_from_nonce, token_hash
from organizations.models import Employee

from ..models import Campaign, Invitation
from . import sql

RUN_CHUNK = 2000  # people per statement when a campaign run makes its invitations


def language_for(person, definition: dict) -> str:
    language = getattr(person, "language", "") or ""
    return language if language in definition["languages"] else definition["default_language"]


def invitation_values(campaign: Campaign, person, definition: dict, scheduled_for: dt.datetime) -> dict:
    is_employee = isinstance(person, Employee)
    nonce = nonce_make()
    return {
        "contact_id": None if is_employee else person.pk, "employee_id": person.pk if is_employee else None,
        "email": person.email.lower(), "language": language_for(person, definition), "token_nonce": nonce,
        "token_hash": token_hash(token_from_nonce(organization_id=campaign.organization_id, nonce=nonce)),
        "scheduled_for": scheduled_for,
        "expires_at": scheduled_for + dt.timedelta(days=campaign.link_valid_days),
    }


def invitation_for(campaign: Campaign, person, definition: dict, scheduled_for: dt.datetime,
                    **extra) -> Invitation:
    values = invitation_values(campaign, person, definition, scheduled_for)
    is_employee = values.pop("employee_id") is not None
    values.pop("contact_id")
    return Invitation(organization=campaign.organization, campaign=campaign, survey=campaign.survey,
                      contact=None if is_employee else person, employee=person if is_employee else None,
                      **values, **extra)


def invitations_create(*, campaign: Campaign, people: list, slots: list[dt.datetime]) -> int:
    """Invitations for `people` (employees, or contact ids) at `slots`, RUN_CHUNK at a time: the
    contacts of a chunk are read in one query, their invitations written with one INSERT (an
    existing invitation for the campaign and person is left as it is) and their quiet period
    started with one UPDATE. Returns how many invitations were made."""
    definition = campaign.survey.current_version.definition
    count = 0
    for start in range(0, len(people), RUN_CHUNK):
        chunk, chunk_slots = people[start:start + RUN_CHUNK], slots[start:start + RUN_CHUNK]
        if chunk and isinstance(chunk[0], int):
            found = {c.pk: c for c in Contact.objects.filter(pk__in=chunk).only("pk", "email", "language")}
            chunk = [found.get(pk) for pk in chunk]
        rows = [(p, s) for p, s in zip(chunk, chunk_slots, strict=True) if p is not None]
        values = [invitation_values(campaign, p, definition, s) for p, s in rows]
        contacts = [(p.pk, s) for p, s in rows if isinstance(p, Contact)]
        count += sql.invitations_insert(campaign=campaign, values=values, contacts=contacts)
    return count
