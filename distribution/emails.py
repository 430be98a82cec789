"""Invitation emails: the links in them, the message for one invitation (its templates
rendered once per batch, each person's name and links put in after), and the same message as
ready bytes for the SMTP backend.

Ready bytes: per batch key (survey version, language, kind, greeting with or without a name,
expiry date, campaign) Django builds the message once with stand-ins where each person's parts
go — name, links, address, invitation id, Message-ID, date — and flattens it; each invitation's
message is those bytes with its own parts put in. Python's email package (header encoding and
folding, MIME flattening) then runs once per key instead of once per message: it was two fifths
of a worker's time per invitation. The bytes are what Django would send for the same message
(tests/distribution/test_invitation_email.py parses both and holds them equal). A message the
stand-ins cannot carry faithfully — an address or link that is not plain ASCII, a very long
name — gets None and goes the usual way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail.message import sanitize_address
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.timezone import template_localtime

from nps_platform.mail import email_message_build, email_message_render, mail_domain, sender_address, subject_render
from nps_platform.tokens import token_from_nonce
from surveys.presentation import survey_shown

from .models import Invitation


def _links(invitation: Invitation) -> tuple[str, str]:
    """The survey link and the unsubscribe link: one token (one HMAC) for both."""
    token = token_from_nonce(organization_id=invitation.organization_id, nonce=invitation.token_nonce)
    site = settings.SITE_URL.rstrip("/")
    return (site + reverse("respond", kwargs={"token": token}),
            site + reverse("unsubscribe", kwargs={"token": token}))


def invitation_link(invitation: Invitation, **query) -> str:
    url = _links(invitation)[0]
    if query:
        url += "?" + urlencode(query)
    return url


def unsubscribe_link(invitation: Invitation) -> str:
    return _links(invitation)[1]


_PERSONAL = {"name": "\x00name\x00", "link": "\x00link\x00", "unsubscribe": "\x00unsubscribe\x00"}
_PERSONAL_RE = re.compile("\x00(name|link|unsubscribe)\x00")
INVITATION_TEMPLATE = "emails/survey_invitation"
INVITATION_SUBJECT = "emails/survey_invitation_subject.txt"


def _invitation_context(invitation: Invitation, kind: str, shown, name: str, link: str, unsubscribe: str) -> dict:
    organization = invitation.organization
    definition = invitation.survey.current_version.definition
    return {
        "organization": organization, "shown": shown, "kind": kind, "company": definition.get("company"),
        "name": name, "link": link,
        "score_links": [(n, f"{link}?{urlencode({'score': n})}") for n in range(11)],
        "unsubscribe": unsubscribe, "expires_at": invitation.expires_at,
        "logo_url": settings.SITE_URL.rstrip("/") + organization.logo.url if organization.logo else "",
        "anonymous": definition.get("anonymous", False),
    }


def _invitation_parts(invitation: Invitation, kind: str, shown, name: str, link: str, unsubscribe: str,
                      cache: dict) -> tuple[str, str, str]:
    """(subject, text, html) from templates rendered once per survey version, language, kind,
    greeting (with a name or without) and expiry date, with placeholders where the name and the
    links go, then filled in for this invitation — escaped in the HTML, as the template would,
    and as they are in the text part. The same parts as rendering the templates for each
    invitation (tests/distribution/test_invitation_email.py holds them equal), at a fraction
    of the cost."""
    language = invitation.language
    with translation.override(language):
        expires = date_filter(template_localtime(invitation.expires_at), "DATE_FORMAT")
    key = (invitation.organization_id, invitation.survey.current_version_id, language, kind, bool(name), expires)
    parts = cache.get(key)
    if parts is None:
        context = _invitation_context(invitation, kind, shown, _PERSONAL["name"] if name else "", _PERSONAL["link"],
                                      _PERSONAL["unsubscribe"])
        with translation.override(language):
            text = render_to_string(f"{INVITATION_TEMPLATE}.txt", context)
            html = render_to_string(f"{INVITATION_TEMPLATE}.html", context)
            subject = subject_render(INVITATION_SUBJECT, context)
        parts = cache[key] = (subject, text, html)
    subject, text, html = parts
    values = {"name": name, "link": link, "unsubscribe": unsubscribe}
    return (subject, _PERSONAL_RE.sub(lambda m: values[m[1]], text),
            _PERSONAL_RE.sub(lambda m: escape(values[m[1]]), html))


def invitation_email(*, invitation: Invitation, kind: str, cache: dict | None = None, stand_ins: dict | None = None):
    """The email for one invitation, in its language: the question and the 0–10 buttons inside,
    each a link that opens the survey with that score chosen; a plain-text part; one-click
    unsubscribe headers (RFC 8058) and a footer link. `cache`, a dict the caller keeps across a
    batch, saves rendering the templates (and working out the survey's wording) again for each
    invitation. `stand_ins` (with `cache`; see distribution.prebuilt) builds the batch's common
    message with stand-ins for the person's name, links, address, ids and date."""
    organization = invitation.organization
    version = invitation.survey.current_version
    shown_key = ("shown", version.pk, invitation.language)
    shown = cache.get(shown_key) if cache is not None else None
    if shown is None:
        shown = survey_shown(definition=version.definition, language=invitation.language, category=None)
        if cache is not None:
            cache[shown_key] = shown
    name = invitation_greeting_name(invitation)
    if stand_ins is None:
        link, unsubscribe = _links(invitation)
        to, invitation_id = invitation.email, f"{invitation.organization_id}-{invitation.pk}"
        headers = {}
    else:
        name = _PERSONAL["name"] if name else ""
        link, unsubscribe = _PERSONAL["link"], _PERSONAL["unsubscribe"]
        to, invitation_id = stand_ins["to"], stand_ins["invitation"]
        headers = {"Date": stand_ins["date"], "Message-ID": stand_ins["message_id"]}
    campaign = invitation.campaign
    envelope = {
        "to": [to], "from_email": sender_address(campaign.sender_name or organization.name),
        "reply_to": [campaign.reply_to] if campaign.reply_to else None,
        "headers": {"List-Unsubscribe": f"<{unsubscribe if stand_ins is None else stand_ins['unsubscribe']}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-NPS-Invitation": invitation_id,
                    **headers},
    }
    if cache is None:
        message = email_message_render(
            template=INVITATION_TEMPLATE, subject_template=INVITATION_SUBJECT, language=invitation.language,
            context=_invitation_context(invitation, kind, shown, name, link, unsubscribe), **envelope)
    else:
        subject, text, html = _invitation_parts(invitation, kind, shown, name, link, unsubscribe, cache)
        message = email_message_build(subject=subject, text=text, html=html, **envelope)
    message.metadata = {"organization_id": invitation.organization_id, "invitation_id": invitation.pk}
    return message


def invitation_greeting_name(invitation: Invitation) -> str:
    """The first name the email greets the person by ("" for none)."""
    person = invitation.contact or invitation.employee
    return (getattr(person, "name", "") or "").split(" ")[0] if person else ""


STAND_INS = {
    "to": "nps-stand-in-to@stand-in.invalid",
    "invitation": "nps-stand-in-invitation",
    "unsubscribe": "nps-stand-in-unsubscribe",
    "date": "nps-stand-in-date",
    "message_id": "<nps-stand-in-message-id@stand-in.invalid>",
}
MAX_NAME_BYTES = 120  # lines stay far below SMTP's 998 (Django would switch to quoted-printable)
MAX_LINK = 400
_HTML_PART = b"Content-Type: text/html"
_PERSONAL_BYTES = re.compile(b"\x00(name|link|unsubscribe)\x00")
_SEVEN_BIT = b"Content-Transfer-Encoding: 7bit"
_EIGHT_BIT = b"Content-Transfer-Encoding: 8bit"


@dataclass(frozen=True)
class Skeleton:
    envelope_from: str
    head: bytes  # the message's headers, with the header stand-ins
    text: bytes  # the body up to the HTML part: the text part, with the \x00…\x00 placeholders
    html: bytes  # the HTML part onwards


@dataclass(frozen=True)
class Prebuilt:
    envelope_from: str
    to: str
    data: bytes
    message_id: str


def _skeleton(invitation: Invitation, kind: str, cache: dict) -> Skeleton | None:
    message = invitation_email(invitation=invitation, kind=kind, cache=cache, stand_ins=STAND_INS)
    data = message.message().as_bytes(linesep="\r\n")
    head, separator, body = data.partition(b"\r\n\r\n")
    split = body.find(_HTML_PART)
    if not separator or split < 0 or any(head.count(value.encode()) != 1 for value in STAND_INS.values()):
        return None  # not laid out as expected: every message of this key goes the usual way
    text, html = body[:split], body[split:]
    if b"\x00link\x00" not in text or b"\x00link\x00" not in html:
        return None  # the body was encoded (quoted-printable): the placeholders are not there as such
    encoding = message.encoding or settings.DEFAULT_CHARSET
    return Skeleton(envelope_from=sanitize_address(message.from_email, encoding), head=head, text=text, html=html)


def _fill(part: bytes, values: dict[bytes, bytes]) -> bytes:
    filled = _PERSONAL_BYTES.sub(lambda m: values[m[1]], part)
    if not all(value.isascii() for value in values.values()):
        # Django labels a part 7bit when it is ASCII only; a non-ASCII name makes it 8bit.
        filled = filled.replace(_SEVEN_BIT, _EIGHT_BIT, 1)
    return filled


def invitation_prebuilt(*, invitation: Invitation, kind: str, cache: dict) -> Prebuilt | None:
    """The invitation's message as bytes from its batch's skeleton, or None to build it the
    usual way (invitation_email)."""
    name = invitation_greeting_name(invitation)
    link, unsubscribe = _links(invitation)
    if (not invitation.email.isascii() or not link.isascii() or not unsubscribe.isascii()
            or len(link) > MAX_LINK or len(name.encode()) > MAX_NAME_BYTES):
        return None
    person_key = ("skeleton", invitation.organization_id, invitation.campaign_id, invitation.survey.current_version_id,
                  invitation.language, kind, bool(name), template_localtime(invitation.expires_at).date())
    if person_key not in cache:
        cache[person_key] = _skeleton(invitation, kind, cache)
    skeleton = cache[person_key]
    if skeleton is None:
        return None
    message_id = make_msgid(domain=mail_domain())
    head = skeleton.head
    for stand_in, value in (
        ("to", invitation.email), ("invitation", f"{invitation.organization_id}-{invitation.pk}"),
        ("unsubscribe", unsubscribe), ("date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        ("message_id", message_id),
    ):
        head = head.replace(STAND_INS[stand_in].encode(), value.encode(), 1)
    raw = {b"name": name, b"link": link, b"unsubscribe": unsubscribe}
    text = _fill(skeleton.text, {k: v.encode() for k, v in raw.items()})
    html = _fill(skeleton.html, {k: escape(v).encode() for k, v in raw.items()})
    return Prebuilt(envelope_from=skeleton.envelope_from, to=invitation.email,
                    data=head + b"\r\n\r\n" + text + html, message_id=message_id)
