"""SSO client secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under SSO_ENCRYPTION_KEY, or a
key derived from SECRET_KEY; secrets written under a SECRET_KEY_FALLBACKS key still open, so a
key rotation does not cut an organization off until its admin saves the secret again."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"nps-sso-secret:{secret}".encode()).digest())


def _fernet() -> MultiFernet:
    keys = []
    if getattr(settings, "SSO_ENCRYPTION_KEY", ""):
        keys.append(settings.SSO_ENCRYPTION_KEY.encode())
    keys.append(_derived(settings.SECRET_KEY))
    keys.extend(_derived(old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_decrypt(token: str) -> str:
    """The secret, or "" when it cannot be read (a lost key): the login then fails at the IdP,
    and the settings page asks for the secret again."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
