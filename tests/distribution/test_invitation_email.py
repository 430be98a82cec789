"""A batch renders the invitation templates once and fills in each person's name and links:
the messages are the same as rendering the templates for every invitation. Over SMTP a batch
sends ready bytes built from one skeleton per batch key: a mail program reads them exactly as
the message Django would have built for that person."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from contacts.models import Contact
from distribution.emails import invitation_email, invitation_prebuilt
from distribution.models import EmailSend
from distribution.services import invitation_for as _invitation_for
from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.django_db

NAMES = [("anne@x.dk", "Anne & Bo Hansen", "da"), ("s@x.se", "<b>Sven</b>", "sv"), ("o@x.dk", 'Ole "O" Ærø', "en"),
         ("nameless@x.dk", "", "da"), ("quote@x.dk", "D'Artagnan", "de"), ("zoe@x.dk", "Zoë", ""),
         ("rd@x.dk", "R&D&amp; team", "da")]


def parts(message):
    headers = {k: v for k, v in message.extra_headers.items() if k != "Message-ID"}
    return (message.subject, message.body, message.alternatives, headers, message.to, message.from_email,
            message.reply_to, message.metadata)


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", "https://nps.example/a&b?c=<d>"])
def test_a_batch_renders_each_invitation_as_rendering_it_alone_would(
        make_org, published_survey, campaign_for, settings, site_url):
    settings.SITE_URL = site_url
    organization, owner = make_org("Cykel & Co <ApS>")
    survey = published_survey(organization, owner, languages=("da", "en", "sv"))
    campaign = campaign_for(organization, owner, survey, start=False, sender_name="Team \"Cykel\"",
                            reply_to="svar@cykel.dk")
    now = timezone.now()
    with tenant_context(organization):
        definition = survey.current_version.definition
        invitations = []
        for i, (email, name, language) in enumerate(NAMES):
            contact = Contact.objects.create(organization=organization, email=email, name=name, language=language)
            invitation = _invitation_for(campaign, contact, definition, now + dt.timedelta(days=i % 3, hours=i))
            invitation.save()
            invitations.append(invitation)
        cache: dict = {}
        for kind in (EmailSend.Kind.INVITATION, EmailSend.Kind.REMINDER):
            for invitation in invitations:
                alone = invitation_email(invitation=invitation, kind=kind)
                batched = invitation_email(invitation=invitation, kind=kind, cache=cache)
                assert parts(batched) == parts(alone)
                assert "\x00" not in batched.body + batched.alternatives[0][0]
        assert "Anne &amp; Bo" not in str(cache)  # the templates were rendered with placeholders


def readable(data: bytes) -> tuple:
    """What a mail program shows: every header (unfolded, trimmed; the Content-Type without its random
    boundary; not Date and Message-ID, made afresh for each message) and each part's type,
    transfer encoding and decoded text."""
    msg = message_from_bytes(data, policy=policy.default)
    headers = sorted((k, str(v).strip()) for k, v in msg.items() if k not in ("Date", "Message-ID", "Content-Type"))
    parts = [(p.get_content_type(), p.get_content_charset(), p["Content-Transfer-Encoding"], p.get_content())
             for p in msg.walk() if not p.is_multipart()]
    return msg.get_content_type(), headers, parts


PREBUILT_NAMES = [*NAMES, ("zoe.en@x.dk", "Zoë Ørsted", "en"), ("plain.en@x.dk", "Plain", "en"),
                  ("tab@x.dk", "Tab\tName", "sv")]


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", "https://nps.example/a&b?c=<d>"])
def test_ready_bytes_read_as_the_message_django_builds(make_org, published_survey, campaign_for, settings,
                                                        site_url):
    settings.SITE_URL = site_url
    organization, owner = make_org("Cykel & Co <ApS> Ærø")
    survey = published_survey(organization, owner, languages=("da", "en", "sv"))
    campaign = campaign_for(organization, owner, survey, start=False, sender_name="Team \"Cykel\" Ø",
                            reply_to="svar@cykel.dk")
    now = timezone.now()
    with tenant_context(organization):
        definition = survey.current_version.definition
        cache: dict = {}
        for i, (email, name, language) in enumerate(PREBUILT_NAMES):
            contact = Contact.objects.create(organization=organization, email=email, name=name, language=language)
            invitation = _invitation_for(campaign, contact, definition, now + dt.timedelta(days=i % 3, hours=5 * i))
            invitation.save()
            for kind in (EmailSend.Kind.INVITATION, EmailSend.Kind.REMINDER):
                prebuilt = invitation_prebuilt(invitation=invitation, kind=kind, cache=cache)
                assert prebuilt is not None
                django_bytes = invitation_email(invitation=invitation, kind=kind).message().as_bytes(linesep="\r\n")
                assert readable(prebuilt.data) == readable(django_bytes)
                msg = message_from_bytes(prebuilt.data, policy=policy.default)
                assert msg["Message-ID"] == prebuilt.message_id and msg["Date"].datetime is not None
                assert prebuilt.to == email and "stand-in" not in prebuilt.data.decode()
                assert b"\x00" not in prebuilt.data
                assert max(len(line) for line in prebuilt.data.split(b"\r\n")) <= 998
        # One skeleton per (language, kind, greeting, expiry day), not one per person.
        assert len([k for k in cache if k[0] == "skeleton"]) < 2 * len(PREBUILT_NAMES)


def test_what_a_skeleton_cannot_carry_goes_the_usual_way(make_org, published_survey, campaign_for, smtp_sink):
    from distribution.services import invitations_send

    organization, owner = make_org("Cykelmageren")
    survey = published_survey(organization, owner, languages=("da", "en"))
    campaign = campaign_for(organization, owner, survey, start=False)
    with tenant_context(organization):
        definition = survey.current_version.definition
        people = [("kort@x.dk", "Kurt"), ("lang@x.dk", "Å" * 200), ("jørgen@bøger.dk", "Jørgen")]
        invitations = []
        for email, name in people:
            contact = Contact.objects.create(organization=organization, email=email, name=name, language="da")
            invitation = _invitation_for(campaign, contact, definition, timezone.now())
            invitation.save()
            invitations.append(invitation)
        cache: dict = {}
        ready = [invitation_prebuilt(invitation=i, kind=EmailSend.Kind.INVITATION, cache=cache) for i in invitations]
        assert ready[0] is not None and ready[1] is None and ready[2] is None
        # All three reach the mail server, each with its own greeting and links.
        result = invitations_send(organization=organization, invitation_ids=[i.pk for i in invitations],
                                  kind=EmailSend.Kind.INVITATION)
    assert result == {"sent": 3, "skipped": 0, "failed": 0}
    messages = smtp_sink.wait_for(3)
    # (The usual way writes a non-ASCII domain in its ASCII form, as mail servers need.)
    by_address = {"kort@x.dk": 0, "lang@x.dk": 1, "jørgen@xn--bger-gra.dk": 2}
    assert sorted(str(m["To"]) for m in messages) == sorted(by_address)
    for msg in messages:
        n = by_address[str(msg["To"])]
        assert f"Hej {people[n][1]}" in smtp_sink.body(msg)
        invitation = invitations[n]
        assert msg["X-NPS-Invitation"] == f"{organization.pk}-{invitation.pk}"
        assert "/r/" in smtp_sink.body(msg, "html")
