"""Secret links that carry their tenant: `<organization id>.<random>`. Only a hash of the
random part is stored, and every lookup happens inside the organization's own rows, so the
unique constraint can include `organization` like every other one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from .parsing import parse_token_head


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_make(*, organization_id: int) -> tuple[str, str]:
    """A new token (shown once, in a link) and the hash to store."""
    secret = secrets.token_urlsafe(24)  # 192 bits
    raw = f"{organization_id}.{secret}"
    return raw, token_hash(raw)


def token_organization_id(raw: str) -> int | None:
    if not isinstance(raw, str) or len(raw.partition(".")[2]) < 16 or len(raw) > 200:
        return None
    return parse_token_head(raw)


def token_from_nonce(*, organization_id: int, nonce: str) -> str:
    """A link token that can be rebuilt (for a reminder) from a stored random nonce and the
    server's secret, but not from the database alone."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"link:{nonce}".encode(), hashlib.sha256).digest()
    return f"{organization_id}." + base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def nonce_make() -> str:
    return secrets.token_hex(16)  # 128 random bits
