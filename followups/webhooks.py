"""Outgoing HTTP: generic webhooks signed with HMAC-SHA256, and Slack- and Teams-compatible
incoming webhooks. Targets in private, loopback or link-local ranges are refused unless
WEBHOOKS_ALLOW_PRIVATE is set (a test or an on-premise install): when a webhook is saved, and
again when it is called, where the name is resolved once and the connection goes to exactly the
address that was checked (`PinnedAddressAdapter`), so neither a parser disagreement nor a name
that changes between check and connect (DNS rebinding) reaches an internal address."""

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
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.util import parse_url

TIMEOUT = (5, 10)  # connect, read


class TargetRefused(ValueError):
    pass


# What the test button and the delivery log say for any failure to get an HTTP answer: the same
# words for a refused port, a timeout, a reset or a TLS error, so they are no port scanner.
UNREACHABLE = "No HTTP answer: the address could not be reached."


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _parsed(url: str):
    """(scheme, host, port) of an http(s) URL, refusing the forms that parsers read differently:
    user-info (`user@host`), backslashes, whitespace and control characters."""
    if not isinstance(url, str) or any(c in url for c in "\\@") or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise TargetRefused(_("Use a plain http(s) address, without user name, “@” or “\\”."))
    parsed = urlparse(url)
    try:
        port = parsed.port
        theirs = parse_url(url)  # what requests (urllib3) will read
    except ValueError as exc:
        raise TargetRefused(_("Use an http(s) address.")) from exc
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise TargetRefused(_("Use an http(s) address."))
    if (theirs.host or "").strip("[]").lower() != parsed.hostname.lower() or theirs.port != port or theirs.auth:
        raise TargetRefused(_("Use a plain http(s) address, without user name, “@” or “\\”."))
    return parsed.scheme, parsed.hostname, port or (443 if parsed.scheme == "https" else 80)


def resolve_checked(host: str, port: int) -> str:
    """The one address a call connects to: the name resolved once; every address it has must be
    public (unless WEBHOOKS_ALLOW_PRIVATE), else the call is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(_("The host %(host)s does not resolve.") % {"host": host}) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos
                 if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not addresses:
        raise TargetRefused(_("The host %(host)s does not resolve.") % {"host": host})
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not _address_allowed(address):
                raise TargetRefused(
                    _("%(host)s points to a private or local address (%(address)s); "
                      "webhooks may only call public addresses.") % {"host": host, "address": address})
    return str(addresses[0])


def target_check(url: str) -> None:
    """When a webhook or chat URL is saved: its form, and (unless private targets are allowed)
    that its name resolves to public addresses only. Calls check again (`PinnedAddressAdapter`)."""
    _scheme, host, port = _parsed(url)
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    resolve_checked(host, port)


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address `resolve_checked` approved, never to a second lookup's: the
    connection pool is keyed on the IP, the Host header and TLS (SNI and certificate name) keep
    the original name."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host = host_params["host"].strip("[]")
        port = host_params["port"] or (443 if host_params["scheme"] == "https" else 80)
        address = resolve_checked(host, port)
        request.headers = CaseInsensitiveDict(request.headers or {})
        shown = f"[{host}]" if ":" in host else host
        request.headers["Host"] = shown if host_params["port"] is None else f"{shown}:{host_params['port']}"
        if host_params["scheme"] == "https":
            pool_kwargs["assert_hostname"] = host
            pool_kwargs["server_hostname"] = host
        host_params["host"] = address
        return host_params, pool_kwargs


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the pinned address is the one used
    adapter = PinnedAddressAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _post(url: str, **kwargs) -> int:
    _parsed(url)
    with _session() as session:
        try:
            return session.post(url, timeout=TIMEOUT, allow_redirects=False, **kwargs).status_code
        except requests.RequestException as exc:
            refused = next((a for a in exc.args if isinstance(a, TargetRefused)), None)
            if refused is not None:  # requests wraps what the adapter raises
                raise refused from None
            # One exception, one message, whatever went wrong on the way (see UNREACHABLE).
            raise ConnectionError(UNREACHABLE) from exc


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the receiver recomputes: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_signed(*, url: str, secret: str, event: str, event_id: str, payload: dict) -> int:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    return _post(url, data=body, headers={
        "Content-Type": "application/json", "User-Agent": "NPS-Platform-Webhooks/1",
        "X-NPS-Event": event, "X-NPS-Delivery": event_id, "X-NPS-Timestamp": timestamp,
        "X-NPS-Signature": signature(secret, timestamp, body),
    })


def post_chat(*, url: str, text: str) -> int:
    """Slack and Teams incoming webhooks both take {"text": …}."""
    return _post(url, json={"text": text})
