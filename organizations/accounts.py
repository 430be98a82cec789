"""Logging in and resetting a password: the email matches whatever its case (the login form
lower-cases it, `UserManager.get_by_natural_key` compares case-insensitively, and django-axes
counts failures under the lower-cased address), and password-reset requests are throttled per
address and per client address, saying the same whether or not the account exists."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from nps_platform.counters import client_address, window_hit


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: `Name@Example.com` and `name@example.com` are one lockout."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else username


def password_reset_throttled(request, email: str) -> bool:
    """Counts one reset request for the address and for the client; True when either is over its
    limit (settings.PASSWORD_RESET_RATE). Counted alike for known and unknown addresses."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    per_address, address_window = settings.PASSWORD_RESET_RATE["address"]
    per_client, client_window = settings.PASSWORD_RESET_RATE["client"]
    over_address = window_hit(f"reset-rate:email:{digest}", address_window) > per_address
    over_client = window_hit(f"reset-rate:client:{client_address(request)}", client_window) > per_client
    return over_address or over_client


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        if password_reset_throttled(self.request, form.cleaned_data["email"]):
            form.add_error(None, _("Too many password reset requests for this address or from here. "
                                   "If you asked a moment ago, the email is on its way; otherwise please "
                                   "try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
