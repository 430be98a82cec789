"""Names we do not control in the headers of every email (issue 15.8, 15.9): an organization or
sender name with a comma, quotes, "<", "&" or a line break gives a valid From header (formataddr,
no line breaks), and subjects are plain text, never HTML-escaped — over SMTP (the ready-bytes
path and Django's) for invitations and reminders alike."""

from __future__ import annotations

import datetime as dt
from email.utils import getaddresses

import pytest
from django.utils import timezone

from contacts.models import Contact
from distribution.emails import invitation_email, invitation_prebuilt
from distribution.models import EmailSend, Invitation
from distribution.services import distribution_tick
from distribution.services import invitation_for as _invitation_for
from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.django_db

COMPANY = "Jensen & Søn's"


@pytest.fixture
def survey_of():
    from surveys import services

    def make(organization, owner):
        with tenant_context(organization):
            survey = services.survey_create(organization=organization, template="relationship", name="R",
                                            default_language="en", by=owner)
            services.survey_settings_update(survey=survey, by=owner, name="R", kind=survey.kind,
                                            default_language="en", languages=["en"], company_name=COMPANY)
            services.survey_publish(survey=survey, by=owner)
            survey.refresh_from_db()
        return survey

    return make


@pytest.mark.parametrize("org_name, sender_name, shown", [
    ("Müller, Meier & Co", "", "Müller, Meier & Co"),
    ('Jensen "&" <Søn>', "", 'Jensen "&" <Søn>'),
    ("Evil\r\nBcc: victim@example.com", "", "Evil Bcc: victim@example.com"),
    ("Plain ApS", "Kundeservice, Nord", "Kundeservice, Nord"),
    ("Plain ApS", 'Ann "A" <a@evil.example>', 'Ann "A" <a@evil.example>'),
])
def test_every_invitation_goes_out_with_a_valid_sender_and_a_plain_subject(
        make_org, survey_of, campaign_for, smtp_sink, member_client, org_name, sender_name, shown):
    from organizations.models import Organization

    organization, owner = make_org("placeholder")
    Organization.objects.filter(pk=organization.pk).update(name=org_name)
    organization.refresh_from_db()
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        for i, name in enumerate(["Ann Ascii", "Zoë Ærø", ""]):
            Contact.objects.create(organization=organization, email=f"p{i}@x.dk", name=name, language="en")
    campaign = campaign_for(organization, owner, survey, sender_name=sender_name)

    distribution_tick()

    messages = smtp_sink.wait_for(3)
    assert len(messages) == 3
    with tenant_context(organization):
        assert [i.status for i in Invitation.objects.filter(campaign=campaign)] == ["sent"] * 3
    for message in messages:
        [(display, address)] = getaddresses([str(message["From"])])
        assert (display, address) == (shown, "no-reply@nps.localhost"), message["From"]
        assert message["Bcc"] is None
        assert message["Subject"] == f"{COMPANY} would like to hear from you"
    page = member_client(owner).get(f"/o/{organization.slug}/campaigns/{campaign.pk}/").content.decode()
    assert 'data-count="sent">3<' in page


def test_reminder_subjects_are_plain_on_both_paths(make_org, survey_of, campaign_for):
    from email import message_from_bytes, policy

    organization, owner = make_org("Jensen & Søn's ApS")
    survey = survey_of(organization, owner)
    campaign = campaign_for(organization, owner, survey, start=False)
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="a@x.dk", name="Ann", language="en")
        invitation = _invitation_for(campaign, contact, survey.current_version.definition,
                                     timezone.now() - dt.timedelta(days=4))
        invitation.save()
        for kind, words in ((EmailSend.Kind.REMINDER, f"Reminder: {COMPANY} would like to hear from you"),
                            (EmailSend.Kind.INVITATION, f"{COMPANY} would like to hear from you")):
            assert invitation_email(invitation=invitation, kind=kind).subject == words
            assert invitation_email(invitation=invitation, kind=kind, cache={}).subject == words
            prebuilt = invitation_prebuilt(invitation=invitation, kind=kind, cache={})
            assert prebuilt is not None
            parsed = message_from_bytes(prebuilt.data, policy=policy.default)
            assert parsed["Subject"].strip() == words  # (Python folds a long encoded subject after "Subject:")
            assert getaddresses([str(parsed["From"])])[0][0] == "Jensen & Søn's ApS"


def test_sender_addresses_are_valid_headers_whatever_the_name():
    from email import message_from_string, policy

    from nps_platform.mail import sender_address

    for name in ("Müller, Meier & Co", "A\nB", 'Q "uote" <x@y>', "Jensen & Søn's"):
        header = sender_address(name)
        assert "\n" not in header and "\r" not in header
        [address] = message_from_string(f"From: {header}\n\n", policy=policy.default)["From"].addresses
        assert (address.display_name, address.addr_spec) == (" ".join(name.split()), "no-reply@nps.localhost")
