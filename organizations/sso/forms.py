"""Forms of the single sign-on pages: the login page's company email, the connection settings,
and an email domain to add."""

from __future__ import annotations

import functools

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Role, SsoConnection
from .services import DEFAULT_ROLE_CHOICES


class SsoStartForm(forms.Form):
    email = forms.EmailField(label=_("Work email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


HttpsURLField = functools.partial(forms.URLField, assume_scheme="https")  # an IdP's address without a scheme


class SsoConnectionForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("Client secret"), required=False, max_length=2000, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted. Leave empty to keep the current secret."))

    class Meta:
        model = SsoConnection
        fields = ["kind", "name", "issuer", "client_id", "metadata_url", "metadata_xml", "default_role",
                  "is_enabled", "require_sso"]
        widgets = {"metadata_xml": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"issuer": HttpsURLField, "metadata_url": HttpsURLField}
        help_texts = {
            "name": _("e.g. Microsoft Entra ID or Google Workspace; shown on the sign-in button."),
            "issuer": _("OpenID Connect: e.g. https://login.microsoftonline.com/TENANT-ID/v2.0 or "
                        "https://accounts.google.com."),
            "metadata_url": _("SAML: the federation metadata URL, or paste the XML below."),
            "default_role": _("The role of people who join by signing in for the first time."),
            "require_sso": _("Addresses at your verified domains can then sign in only with single sign-on: "
                             "no password, no password reset."),
        }

    field_order = ["kind", "name", "issuer", "client_id", "client_secret", "metadata_url", "metadata_xml"]

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        labels = dict(Role.choices)
        self.fields["default_role"].choices = [(role.value, labels[role]) for role in DEFAULT_ROLE_CHOICES]

    def clean(self):
        data = super().clean()
        if data.get("kind") == SsoConnection.Kind.OIDC:
            for name in ("issuer", "client_id"):
                if not data.get(name):
                    self.add_error(name, _("Needed for OpenID Connect."))
            if not data.get("client_secret") and not self.has_secret:
                self.add_error("client_secret", _("Needed for OpenID Connect."))
        elif data.get("kind") == SsoConnection.Kind.SAML:
            if not data.get("metadata_url") and not (data.get("metadata_xml") or "").strip():
                self.add_error("metadata_url", _("Give the IdP's metadata URL or its XML."))
        return data


class EmailDomainForm(forms.Form):
    domain = forms.CharField(label=_("Email domain"), max_length=253,
                             widget=forms.TextInput(attrs={"placeholder": "example.com"}))
