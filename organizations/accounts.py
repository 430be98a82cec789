"""Logging in and resetting a password, on django-allauth: the email matches whatever its case
(the login form lower-cases it, `UserManager.get_by_natural_key` compares case-insensitively, and
django-axes counts failures under the lower-cased address), and password-reset requests are
throttled per address and per client address, saying the same whether or not the account exists.
allauth's own sign-up stays closed: accounts come from the product's sign-up and invitations."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlparse

from allauth.account import app_settings as account_settings
from allauth.account import forms as allauth_forms
from allauth.account import views as allauth_views
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from nps_platform.counters import client_address, window_hit

from .security import may_remove_authenticator, record_logout
from .sso import gate as sso_gate


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: `Name@Example.com` and `name@example.com` are one lockout. allauth
    authenticates with `email=`; the form posts it as `login`."""
    credentials = credentials or {}
    username = credentials.get("email") or credentials.get(settings.AXES_USERNAME_FORM_FIELD) \
        or credentials.get("username")
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


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # A new account comes with a new organization (/signup/) or an invitation, never bare.
        return False

    def get_signup_redirect_url(self, request) -> str:
        return resolve_url("signup")

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Right after signing in (within ACCOUNT_REAUTHENTICATION_TIMEOUT) a member is not asked
        # for their password again: a member an organization sends to set up two-factor goes
        # straight to it. Later, changes to their factors ask again, as allauth does.
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        return not (records and time.time() - records[-1].get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT)

    def logout(self, request) -> None:

        record_logout(request)
        super().logout(request)

    def pre_login(self, request, user, **kwargs):
        # An organization that requires single sign-on lets its domains in through its IdP only.
        refusal = sso_gate.login_refusal(request, user, sociallogin=(kwargs.get("signal_kwargs") or {})
                                         .get("sociallogin"))
        return refusal or super().pre_login(request, user, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # A passkey is bound to the relying party id: the public host name (SITE_URL), not
        # whatever Host header a request came with.
        rp_id = settings.WEBAUTHN_RP_ID or urlparse(settings.SITE_URL).hostname or "localhost"
        return {"id": rp_id, "name": settings.MFA_TOTP_ISSUER}

    def can_delete_authenticator(self, authenticator) -> bool:

        return may_remove_authenticator(authenticator)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email")
        self.fields["login"].widget.attrs.update({"autofocus": True, "autocomplete": "email"})
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""

    def clean_login(self):
        # Emails are stored in lower case; the backends match any case too (get_by_natural_key).
        login = super().clean_login().lower()
        if message := sso_gate.sso_required_message(login):
            raise ValidationError(message, code="sso_required")
        return login


class PasswordResetView(allauth_views.PasswordResetView):
    def form_valid(self, form):
        if message := sso_gate.sso_required_message(form.cleaned_data["email"]):
            form.add_error("email", message)  # no password to reset: the company's IdP signs them in
            return self.form_invalid(form)
        if password_reset_throttled(self.request, form.cleaned_data["email"]):
            form.add_error(None, _("Too many password reset requests for this address or from here. "
                                   "If you asked a moment ago, the email is on its way; otherwise please "
                                   "try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


def sign_in_new_account(request, user) -> None:
    """Signs in an account just made with a password (the sign-up, an invitation), the way the
    login page would have: allauth's record of it makes the next minutes count as recent (no
    password asked again to set up two-factor) and the session gets its row."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, "password", email=user.email)
