from __future__ import annotations

import pytest

from nps_platform.tenancy import tenant_context

from .helpers import client_for


@pytest.fixture
def add_member(db):
    """add_member(organization, role) → a new user with that role in the organization."""
    from organizations.models import Membership, User

    def add(organization, role, email=None):
        user = User.objects.create_user(email=email or f"{role}-{organization.slug}@example.com",
                                        password="pass-Word-123")
        with tenant_context(organization):
            Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return add


@pytest.fixture
def owner_client(org_a):
    _, owner = org_a
    return client_for(owner)
