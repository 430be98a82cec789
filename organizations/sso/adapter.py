"""django-allauth's side of single sign-on: each organization's SsoConnection is handed to allauth
as a SocialApp built on the fly (never stored, never listed on the login page), with the provider
id `oidc-<key>` (OpenID Connect) or `saml-<key>` (SAML 2.0, whose URLs name `<key>`); and every
login from an IdP passes `services.sso_login_accept` before allauth signs the user in."""

from __future__ import annotations

import hashlib

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from ..models import SsoConnection
from . import services
from .outbound import CheckedSession
from .secrets import secret_decrypt

# Attribute names of the common IdPs (Microsoft Entra ID's claims, Google Workspace's and
# pysaml2's / Shibboleth's OIDs), first match wins.
SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id",
            "http://schemas.microsoft.com/identity/claims/objectidentifier"],
    "email": ["urn:oid:0.9.2342.19200300.100.1.3",
              "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "email", "mail"],
    "first_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42",
                   "firstName", "givenName"],
    "last_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4",
                  "lastName", "sn"],
}


def remote_metadata(url: str) -> str:
    """The IdP's SAML metadata at `url`, fetched through CheckedSession (a public address, no
    redirects: allauth's own fetch follows them and checks nothing), kept for an hour."""
    key = "sso-saml-metadata:" + hashlib.sha256(url.encode()).hexdigest()
    xml = cache.get(key)
    if xml is None:
        response = CheckedSession(timeout=10).get(url)
        response.raise_for_status()
        xml = response.text
        cache.set(key, xml, 60 * 60)
    return xml


def saml_idp_settings(connection: SsoConnection) -> dict:
    xml = connection.metadata_xml if connection.metadata_xml.strip() else remote_metadata(connection.metadata_url)
    idp = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=connection.idp_entity_id or None)["idp"]
    return {"entity_id": idp["entityId"], "sso_url": idp["singleSignOnService"]["url"],
            "x509cert": idp.get("x509cert") or (idp.get("x509certMulti", {}).get("signing") or [""])[0]}


def social_app_for(connection: SsoConnection) -> SocialApp:
    name = connection.name or connection.organization.name
    if connection.kind == SsoConnection.Kind.SAML:
        return SocialApp(provider="saml", provider_id=connection.provider_id, name=name, client_id=connection.key,
                         settings={
                             "hidden": True,
                             "idp": saml_idp_settings(connection),
                             "attribute_mapping": SAML_ATTRIBUTES,
                             "advanced": {"strict": True, "want_assertion_signed": True,
                                          "reject_deprecated_algorithm": True, "reject_idp_initiated_sso": True},
                         })
    return SocialApp(provider="openid_connect", provider_id=connection.provider_id, name=name,
                     client_id=connection.client_id, secret=secret_decrypt(connection.client_secret_encrypted),
                     settings={"hidden": True, "server_url": connection.issuer, "fetch_userinfo": True,
                               "oauth_pkce_enabled": True})


def connection_of(app: SocialApp | None) -> SsoConnection | None:
    return services.connection_by_provider_id(app.provider_id) if app is not None else None


def _identity(sociallogin) -> tuple[str, str]:
    """(email, full name) the IdP sent. Microsoft Entra ID leaves `email` out for accounts
    without a mailbox; its `preferred_username` (the UPN) is then the address."""
    user = sociallogin.user
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        email = next((a.email for a in sociallogin.email_addresses if a.email), "")
    data = sociallogin.account.extra_data or {}
    data = data.get("userinfo") or data.get("id_token") or data if isinstance(data, dict) else {}
    if not email and isinstance(data, dict) and "@" in str(data.get("preferred_username", "")):
        email = data["preferred_username"]
    name = (getattr(user, "full_name", "") or "").strip()
    if not name and isinstance(data, dict):
        name = str(data.get("name") or " ".join(filter(None, [data.get("given_name"), data.get("family_name")])))
    if not name:
        name = " ".join(filter(None, [getattr(user, "first_name", ""), getattr(user, "last_name", "")]))
    return email.strip().lower(), name.strip()


def _email_verified(sociallogin) -> bool:
    """False when the OpenID Connect provider says `email_verified: false` (SAML has no such claim;
    a provider that leaves it out, as Microsoft Entra ID does, vouches by sending the address)."""
    data = sociallogin.account.extra_data
    for part in (data.get("userinfo"), data.get("id_token"), data) if isinstance(data, dict) else ():
        if isinstance(part, dict) and "email_verified" in part:
            return part["email_verified"] not in (False, "false", "False")
    return True


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """Only the one connection asked for: `provider` is `oidc-<key>` / `saml-<key>` (or
        `saml` with the key as `client_id`). Nothing is listed without one, so the login page
        names no organization."""
        if provider == "saml" and client_id:
            provider = f"saml-{client_id}"
        connection = services.connection_by_provider_id(provider) if provider else None
        if connection is None:
            return []
        app = social_app_for(connection)
        if client_id and app.client_id != client_id:
            return []
        return [app]

    def get_requests_session(self):
        from allauth.socialaccount import app_settings

        return CheckedSession(timeout=app_settings.REQUESTS_TIMEOUT)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Users are made by pre_social_login (services.sso_login_accept), never by allauth's
        # sign-up form.
        return False

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.full_name = (name or "").strip()[:200]
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        connection = connection_of(sociallogin.provider.app)
        if connection is None:  # not one of ours: no way in
            raise ImmediateHttpResponse(render(request, "sso/refused.html", {"message": ""}, status=403))
        email, name = _identity(sociallogin)
        linked = sociallogin.user if sociallogin.is_existing else None
        try:
            accepted = services.sso_login_accept(connection=connection, email=email, full_name=name,
                                                 linked_user=linked, email_verified=_email_verified(sociallogin))
        except services.SsoRefused as refused:
            raise ImmediateHttpResponse(render(request, "sso/refused.html", {
                "message": refused.message, "organization": connection.organization}, status=403))
        if not sociallogin.is_existing:
            sociallogin.connect(request, accepted.user)
        if not sociallogin.state.get("next"):
            sociallogin.state["next"] = reverse("dashboard", kwargs={"org_slug": connection.organization.slug})
