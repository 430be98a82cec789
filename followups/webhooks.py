"""Outgoing HTTP: generic webhooks signed with HMAC-SHA256, and Slack- and Teams-compatible
incoming webhooks. Targets in private, loopback or link-local ranges are refused unless
WEBHOOKS_ALLOW_PRIVATE is set (a test or an on-premise install), both when a webhook is saved
and again when it is called, since a name can change what it points at."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlparse

import requests
from django.conf import settings


class TargetRefused(ValueError):
    pass


def target_check(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise TargetRefused("Use an http(s) address.")
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise TargetRefused(f"The host {parsed.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise TargetRefused(f"{parsed.hostname} points to a private or local address ({address}); "
                                "webhooks may only call public addresses.")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the receiver recomputes: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_signed(*, url: str, secret: str, event: str, event_id: str, payload: dict) -> int:
    target_check(url)
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    response = requests.post(url, data=body, timeout=10, allow_redirects=False, headers={
        "Content-Type": "application/json", "User-Agent": "NPS-Platform-Webhooks/1",
        "X-NPS-Event": event, "X-NPS-Delivery": event_id, "X-NPS-Timestamp": timestamp,
        "X-NPS-Signature": signature(secret, timestamp, body),
    })
    return response.status_code


def post_chat(*, url: str, text: str) -> int:
    """Slack and Teams incoming webhooks both take {"text": …}."""
    target_check(url)
    return requests.post(url, json={"text": text}, timeout=10, allow_redirects=False).status_code
