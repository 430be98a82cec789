from __future__ import annotations

import pytest

from nps_platform.tenancy import tenant_context


@pytest.fixture
def survey_of(db):
    """survey_of(organization, owner, template="relationship", language="en") → a draft survey."""
    from surveys.services import survey_create

    def make(organization, owner, template="relationship", language="en", name="Customer survey"):
        with tenant_context(organization):
            return survey_create(organization=organization, template=template, name=name,
                                 default_language=language, by=owner)

    return make


@pytest.fixture
def add_member(db):
    from organizations.models import Membership, User

    def add(organization, role, email=None):
        user = User.objects.create_user(email=email or f"{role}-{organization.slug}@example.com",
                                        password="pass-Word-123")
        with tenant_context(organization):
            Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return add
