"""Outgoing mail: one helper that renders a text + HTML pair from templates in a language, and
the embedded-mode backend that writes each message to var/outbox for /dev/outbox to show."""

from __future__ import annotations

import contextlib
import uuid
import zoneinfo
from email import message_from_bytes, policy
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation


def email_message_render(*, to: list[str], template: str, context: dict, subject: str = "",
                         subject_template: str = "", language: str | None = None, headers: dict | None = None,
                         reply_to: list[str] | None = None, from_email: str | None = None,
                         time_zone: str | None = None) -> EmailMultiAlternatives:
    """Renders `<template>.txt` and `<template>.html` (and the subject, given or from a template)
    in `language`, with times in `time_zone` (the organization's), into a message ready to send."""
    zone = timezone.override(zoneinfo.ZoneInfo(time_zone)) if time_zone else contextlib.nullcontext()
    with translation.override(language or settings.LANGUAGE_CODE), zone:
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        if subject_template:
            subject = subject_render(subject_template, context)
    return email_message_build(to=to, subject=subject, text=text, html=html, headers=headers, reply_to=reply_to,
                               from_email=from_email)


def email_message_build(*, to: list[str], subject: str, text: str, html: str, headers: dict | None = None,
                        reply_to: list[str] | None = None, from_email: str | None = None) -> EmailMultiAlternatives:
    """The message from its rendered parts (a text body and its HTML alternative), with a
    Message-ID of our domain unless the headers carry one."""
    headers = dict(headers or {})
    headers.setdefault("Message-ID", make_msgid(domain=mail_domain()))
    message = EmailMultiAlternatives(
        # (a name with a line break in it must not break the Subject header)
        subject=" ".join(subject.split()), body=text, to=to, headers=headers, reply_to=reply_to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
    )
    message.attach_alternative(html, "text/html")
    return message


def subject_render(template: str, context: dict) -> str:
    """A subject line from a template: plain text, never HTML-escaped ("Jensen & Søn's", not
    "Jensen &amp;amp; Søn&#x27;s"), on one line."""
    rendered = get_template(template).template.render(Context(context, autoescape=False))
    return " ".join(rendered.split())


def from_address() -> str:
    """The bare address of DEFAULT_FROM_EMAIL."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL.strip()


def sender_address(name: str) -> str:
    """`"<name>" <DEFAULT_FROM_EMAIL's address>` for a name we do not control (an organization's,
    a campaign's sender name): line breaks and control characters dropped, and quoted or
    encoded by formataddr, so a comma, a quote, "<" or "&" cannot break the header."""
    name = " ".join("".join(c if c.isprintable() else " " for c in name or "").split())
    return formataddr((name, from_address())) if name else from_address()


def mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    return address.rpartition("@")[2] or "localhost"


def mail_render_and_send(**kwargs) -> None:
    email_message_render(**kwargs).send()


def mail_in_their_languages(*, recipients: list[tuple[str, str]], template: str, subject, context: dict,
                            **kwargs) -> None:
    """One message per language to `recipients` — (address, language) pairs — each rendered in
    that language; `subject` is a callable, called in each language (so its gettext applies)."""
    by_language: dict[str, list[str]] = {}
    for address, language in recipients:
        if address and address not in by_language.setdefault(language, []):
            by_language[language].append(address)
    for language, addresses in by_language.items():
        with translation.override(language):
            line = str(subject())
        mail_render_and_send(to=addresses, template=template, subject=line, context=context, language=language,
                             **kwargs)


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as an .eml file; nothing leaves the machine."""

    def send_messages(self, email_messages):
        outbox = Path(settings.EMAIL_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            (outbox / name).write_bytes(message.message().as_bytes(linesep="\n"))
        return len(email_messages)


def outbox_list(limit: int = 200) -> list[dict]:
    outbox = Path(settings.EMAIL_OUTBOX_DIR)
    if not outbox.is_dir():
        return []
    items = []
    for path in sorted(outbox.glob("*.eml"), reverse=True)[:limit]:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        items.append({"id": path.stem, "subject": msg["subject"], "to": msg["to"], "date": msg["date"]})
    return items


def outbox_read(message_id: str) -> dict | None:
    outbox = Path(settings.EMAIL_OUTBOX_DIR)
    path = outbox / f"{message_id}.eml"
    if "/" in message_id or not path.is_file():
        return None
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    html = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",))
    return {
        "id": message_id,
        "subject": msg["subject"],
        "to": msg["to"],
        "from": msg["from"],
        "date": msg["date"],
        "headers": list(msg.items()),
        "html": html.get_content() if html else "",
        "text": text.get_content() if text else "",
    }
