"""Where an organization requires single sign-on, addresses at its verified domains get in only
through its IdP: the password form says so before it checks a password, a password reset is
refused, and every other way in (a passkey, a code, another provider) stops at allauth's
`pre_login` (organizations.accounts.AccountAdapter calls `login_refusal`)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services


def sso_required_message(email: str) -> str | None:
    """The message for the password form and the password reset, or None when SSO is not required."""
    connection = services.connection_requiring_sso(email)
    if connection is None:
        return None
    url = reverse("sso_start") + "?" + urlencode({"email": email})
    return format_html(
        '{} <a href="{}">{}</a>',
        _("%(organization)s signs in with single sign-on: addresses at %(domain)s have no password here.")
        % {"organization": connection.organization.name, "domain": services.email_domain_of(email)},
        url, _("Sign in with your company account"))


def login_refusal(request, user, *, sociallogin=None):
    """A response refusing this login, or None. Only the required connection's own SSO passes."""
    connection = services.connection_requiring_sso(getattr(user, "email", ""))
    if connection is None:
        return None
    app = getattr(getattr(sociallogin, "provider", None), "app", None)
    if app is not None and app.provider_id == connection.provider_id:
        return None
    return render(request, "sso/required.html", {"organization": connection.organization, "email": user.email},
                  status=403)
