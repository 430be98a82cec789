"""The addresses single sign-on calls (an IdP's discovery document, token and key endpoints, SAML
metadata) are the admin's to choose, so they must be public: a name that resolves to a private,
loopback or link-local address is refused, unless SSO_ALLOW_PRIVATE_URLS (tests, an on-premise
IdP). Checked when the connection is saved and before each call allauth makes."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _


class UrlRefused(requests.exceptions.InvalidURL):
    pass


def url_check(url: str) -> None:
    """Raises UrlRefused with a message for the admin."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise UrlRefused(_("Use a plain http(s) address."))
    if getattr(settings, "SSO_ALLOW_PRIVATE_URLS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(_("The host %(host)s does not resolve.") % {"host": parts.hostname})
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UrlRefused(_("%(host)s points to a private or local address (%(address)s); single sign-on "
                               "calls public addresses only.") % {"host": parts.hostname, "address": address})


class CheckedSession(requests.Session):
    """allauth's HTTP session for single sign-on: every URL checked before it is called."""

    def __init__(self, timeout: float):
        super().__init__()
        self.trust_env = False  # no proxies from the environment
        self._timeout = timeout

    def request(self, method, url, *args, **kwargs):
        url_check(url)
        kwargs.setdefault("timeout", self._timeout)
        kwargs["allow_redirects"] = False  # a redirect would skip the check
        return super().request(method, url, *args, **kwargs)
