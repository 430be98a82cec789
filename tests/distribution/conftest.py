from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from nps_platform.tenancy import tenant_context


@pytest.fixture
def published_survey():
    """published_survey(org, owner, languages=("en","da","sv"), template="relationship")."""
    from surveys import services

    def make(organization, owner, languages=("en", "da", "sv"), template="relationship", name="Relationship"):
        with tenant_context(organization):
            survey = services.survey_create(organization=organization, template=template, name=name,
                                            default_language=languages[0], by=owner)
            services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                            default_language=languages[0], languages=list(languages),
                                            company_name="Cykelmageren")
            services.survey_publish(survey=survey, by=owner)
            survey.refresh_from_db()
        return survey

    return make


@pytest.fixture
def contacts_in():
    """contacts_in(org, [("a@x.dk", "da"), ...]) → contacts."""
    from contacts.models import Contact

    def make(organization, people):
        with tenant_context(organization):
            return [Contact.objects.create(organization=organization, email=email, name=f"Person {i}", language=lang)
                    for i, (email, lang) in enumerate(people)]

    return make


@pytest.fixture
def campaign_for():
    from distribution.models import Campaign
    from distribution.services import campaign_start

    def make(organization, owner, survey, start=True, **fields):
        with tenant_context(organization):
            campaign = Campaign.objects.create(organization=organization, name="Q1", survey=survey, **fields)
            if start:
                campaign_start(campaign=campaign, by=owner)
            return campaign

    return make


def links_in(message, sink) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", sink.body(message, "plain"))


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")
