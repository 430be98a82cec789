"""Through the API with a browser session, a member reads what their pages show them: only
admins export a contact's personal data or list the webhooks (whose URLs are secrets); another
organization's contact is a 404 even to an admin."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def session(user, organization) -> APIClient:
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.credentials(HTTP_X_ORGANIZATION=organization.slug)
    return client


def test_only_an_admins_session_reads_personal_data_and_webhooks(org_a, org_b, add_member):
    organization, owner = org_a
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="anna@kunde.dk", name="Anna")
    for role in ("viewer", "manager"):
        member = session(add_member(organization, role), organization)
        assert member.get(f"/api/v1/contacts/{contact.pk}/personal-data/").status_code == 403
        assert member.get("/api/v1/webhooks/").status_code == 403
        assert member.get("/api/v1/contacts/").status_code == 200  # what their pages show, they read
    admin = session(owner, organization)
    assert admin.get(f"/api/v1/contacts/{contact.pk}/personal-data/").json()["contact"]["email"] == "anna@kunde.dk"
    assert admin.get("/api/v1/webhooks/").status_code == 200
    other_org, other_owner = org_b
    assert session(other_owner, other_org).get(f"/api/v1/contacts/{contact.pk}/personal-data/").status_code == 404
