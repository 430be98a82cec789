"""Reads for distribution: the invitation behind a personal link."""

from __future__ import annotations

from nps_platform.tenancy import tenant_context
from nps_platform.tokens import token_hash, token_organization_id
from organizations.models import Organization

from .models import Invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token names, looked up inside its own organization; None for
    anything unknown (the caller answers a friendly 404)."""
    organization_id = token_organization_id(token)
    if organization_id is None:
        return None
    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        return None
    with tenant_context(organization):
        return (Invitation.objects.select_related("survey__current_version", "campaign", "contact", "employee",
                                                  "organization")
                .filter(token_hash=token_hash(token)).first())
