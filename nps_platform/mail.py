"""Outgoing mail: one helper that renders a text + HTML pair from templates in a language, and
the embedded-mode backend that writes each message to var/outbox for /dev/outbox to show."""

from __future__ import annotations

import uuid
from email import message_from_bytes, policy
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation


def email_message_render(*, to: list[str], template: str, context: dict, subject: str = "",
                         subject_template: str = "", language: str | None = None, headers: dict | None = None,
                         reply_to: list[str] | None = None, from_email: str | None = None) -> EmailMultiAlternatives:
    """Renders `<template>.txt` and `<template>.html` (and the subject, given or from a template)
    in `language` into a message ready to send."""
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        if subject_template:
            subject = " ".join(render_to_string(subject_template, context).split())
    return email_message_build(to=to, subject=subject, text=text, html=html, headers=headers, reply_to=reply_to,
                               from_email=from_email)


def email_message_build(*, to: list[str], subject: str, text: str, html: str, headers: dict | None = None,
                        reply_to: list[str] | None = None, from_email: str | None = None) -> EmailMultiAlternatives:
    """The message from its rendered parts (a text body and its HTML alternative), with a
    Message-ID of our domain unless the headers carry one."""
    headers = dict(headers or {})
    headers.setdefault("Message-ID", make_msgid(domain=mail_domain()))
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers=headers, reply_to=reply_to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    return address.rpartition("@")[2] or "localhost"


def mail_render_and_send(**kwargs) -> None:
    email_message_render(**kwargs).send()


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
