"""Secret links that carry their tenant: `<organization id>.<random>`. Only a hash of the
random part is stored, and every lookup happens inside the organization's own rows, so the
unique constraint can include `organization` like every other one."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_make(*, organization_id: int) -> tuple[str, str]:
    """A new token (shown once, in a link) and the hash to store."""
    secret = secrets.token_urlsafe(24)  # 192 bits
    raw = f"{organization_id}.{secret}"
    return raw, token_hash(raw)


def token_organization_id(raw: str) -> int | None:
    head, _, secret = raw.partition(".")
    if not head.isdigit() or len(secret) < 16 or len(raw) > 200:
        return None
    return int(head)
