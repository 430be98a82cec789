"""Fixtures for the respondent pages: a published survey with a review link, personal links
from a real campaign run, and a receiver for `response_saved`."""

from __future__ import annotations

import pytest

from nps_platform.tenancy import tenant_context
from tests.distribution.conftest import campaign_for, contacts_in, path_of, published_survey  # noqa: F401

REVIEW_URL = "https://g.page/r/cykelmageren/review"
REVIEW_LABELS = {"da": "Anmeld os på Google", "sv": "Recensera oss på Google"}


@pytest.fixture
def shop(make_org, published_survey):  # noqa: F811
    """(organization, owner, survey): a published relationship survey in en, da and sv, with a
    Google review link on the thank-you page."""
    from surveys import services

    organization, owner = make_org("Cykelmageren ApS")
    survey = published_survey(organization, owner)
    with tenant_context(organization):
        link = services.review_link_add(survey=survey, site="google", url=REVIEW_URL, label="Review us on Google",
                                        by=owner)
        link.texts.update(REVIEW_LABELS)
        link.save(update_fields=["texts"])
        services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
    return organization, owner, survey


@pytest.fixture
def personal_link(campaign_for):  # noqa: F811
    """personal_link(organization, owner, survey, email=..., language=..., **contact fields) →
    (invitation, path): runs a one-off campaign to a new contact and returns their link."""
    from contacts.models import Contact
    from distribution.emails import invitation_link
    from distribution.models import Invitation
    from distribution.services import distribution_tick

    def make(organization, owner, survey, email="kunde@x.dk", language="da", **fields):
        with tenant_context(organization):
            contact = Contact.objects.create(organization=organization, email=email, name="Karen Kunde",
                                             language=language, **fields)
        campaign_for(organization, owner, survey)
        distribution_tick()
        with tenant_context(organization):
            invitation = Invitation.objects.select_related("contact").get(contact=contact)
        return invitation, path_of(invitation_link(invitation))

    return make


@pytest.fixture
def saved_signals():
    """The `response_saved` signals sent during the test, as dicts."""
    from responses.services import response_saved

    calls: list[dict] = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        calls.append({"sender": sender, **kwargs})

    response_saved.connect(receiver, weak=False, dispatch_uid="tests-responses-receiver")
    yield calls
    response_saved.disconnect(dispatch_uid="tests-responses-receiver")


def responses_of(organization, **filters):
    from responses.models import Response

    with tenant_context(organization):
        return list(Response.objects.filter(**filters).select_related("contact", "department", "employee"))


def changes_of(organization, **filters):
    from responses.models import ResponseChange

    with tenant_context(organization):
        return list(ResponseChange.objects.filter(**filters).order_by("changed_at", "pk"))
