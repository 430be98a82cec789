"""Suppression reaches sending at once: a one-click unsubscribe, a provider's bounce or
complaint put the address on the suppression list, and scheduled invitations to it are cancelled."""

from __future__ import annotations

from contacts.models import Suppression
from contacts.services import suppression_add
from organizations.models import Organization

from ..models import Invitation


def invitations_cancel_for(*, email: str, reason: str) -> int:
    return Invitation.objects.filter(email__iexact=email, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.CANCELLED, last_error=reason)


def unsubscribe(*, invitation: Invitation) -> None:
    """One click, at once: the address joins the suppression list and nothing more is sent."""
    suppression_add(organization=invitation.organization, email=invitation.email,
                    reason=Suppression.Reason.UNSUBSCRIBED)


def delivery_event(*, organization: Organization, invitation_id: int | None, email: str, event: str) -> None:
    """A bounce or complaint reported by the mail provider (through django-anymail)."""
    reason = {"bounced": Suppression.Reason.BOUNCED, "complained": Suppression.Reason.COMPLAINED}[event]
    suppression_add(organization=organization, email=email, reason=reason)
    if invitation_id and event == "bounced":
        Invitation.objects.filter(pk=invitation_id).update(status=Invitation.Status.BOUNCED)
