"""Domain verification by DNS: the organization publishes a TXT record
`_nps-verification.<domain>` with the value `nps-domain-verification=<token>`; the check asks
the system's resolver, or SSO_DNS_NAMESERVERS ("host:port", …) when set."""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings

RECORD_PREFIX = "_nps-verification"
VALUE_PREFIX = "nps-domain-verification="


def record_name(domain: str) -> str:
    return f"{RECORD_PREFIX}.{domain}"


def record_value(token: str) -> str:
    return f"{VALUE_PREFIX}{token}"


def _resolver() -> dns.resolver.Resolver:
    servers = list(getattr(settings, "SSO_DNS_NAMESERVERS", []) or [])
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        hosts, ports = [], set()
        for server in servers:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            hosts.append(host)
            ports.add(int(port or 53))
        resolver.nameservers = hosts
        resolver.port = ports.pop()
    resolver.lifetime = 5.0
    return resolver


def txt_values(name: str) -> list[str]:
    """The TXT strings at `name`; [] when there are none or DNS does not answer."""
    try:
        answer = _resolver().resolve(name, "TXT")
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def domain_has_token(domain: str, token: str) -> bool:
    return record_value(token) in txt_values(record_name(domain))
