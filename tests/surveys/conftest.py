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


