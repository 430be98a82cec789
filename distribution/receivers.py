"""Hand-offs into distribution: suppressions cancel scheduled sends, and django-anymail's
bounce and complaint webhooks update suppression and invitation status."""

from __future__ import annotations

import logging

from anymail.signals import tracking
from django.dispatch import receiver

from contacts.services import suppression_added
from nps_platform.tenancy import tenant_context
from organizations.models import Organization

from . import services

log = logging.getLogger(__name__)


@receiver(suppression_added)
def cancel_scheduled_sends(sender, organization, email, **kwargs):
    services.invitations_cancel_for(email=email, reason="suppressed")


@receiver(tracking)
def provider_tracking_event(sender, event, esp_name, **kwargs):
    if event.event_type not in ("bounced", "complained"):
        return
    metadata = event.metadata or {}
    organization = Organization.objects.filter(pk=metadata.get("organization_id")).first()
    if organization is None or not event.recipient:
        log.info("a %s event for an unknown message (%s)", event.event_type, esp_name)
        return
    with tenant_context(organization):
        services.delivery_event(organization=organization, invitation_id=metadata.get("invitation_id"),
                                email=event.recipient, event=event.event_type)
