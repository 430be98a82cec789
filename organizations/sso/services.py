"""Single sign-on writes and reads: an organization's email domains (added, verified by DNS,
removed), its connection (saved, its secret encrypted), which connection an email address
belongs to, and a login from an IdP accepted (membership just in time) or refused.

The rules that keep tenants apart: a connection grants membership of its own organization only,
and only to addresses at that organization's verified domains; a domain is verified by one
organization at a time."""

from __future__ import annotations

import secrets as pysecrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from nps_platform.tenancy import tenant_context

from ..models import EmailDomain, MemberInvitation, Membership, Organization, Role, SsoConnection, User
from ..services import audit_record, member_invitation_accept
from . import dns as sso_dns
from .outbound import CheckedSession, UrlRefused, url_check
from .secrets import secret_encrypt

# Roles an admin may give to members created by their first login; never owner.
DEFAULT_ROLE_CHOICES = (Role.VIEWER, Role.MANAGER, Role.ADMIN)


class SsoError(ValidationError):
    pass


def email_domain_of(email: str) -> str:
    return (email or "").strip().lower().rpartition("@")[2]


def domain_normalize(domain: str) -> str:
    """`Acme.DK.` → `acme.dk`; raises SsoError for anything that is not a host name."""
    value = (domain or "").strip().lower().rstrip(".")
    value = value.removeprefix("@")
    try:
        ascii_value = value.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_value = ""
    labels = ascii_value.split(".")
    if (len(labels) < 2 or len(ascii_value) > 253
            or any(not label or len(label) > 63 or label.startswith("-") or label.endswith("-")
                   or not all(c.isalnum() or c == "-" for c in label) for label in labels)):
        raise SsoError(gettext("Enter a domain like example.com."))
    return ascii_value


# --- Email domains ------------------------------------------------------------------------------

@transaction.atomic
def email_domain_add(*, organization: Organization, domain: str, by: User) -> EmailDomain:
    value = domain_normalize(domain)
    if EmailDomain.objects.filter(domain__iexact=value).exists():
        raise SsoError(gettext("%(domain)s is already on the list.") % {"domain": value})
    email_domain = EmailDomain.objects.create(organization=organization, domain=value,
                                              token=pysecrets.token_urlsafe(24))
    audit_record(organization=organization, actor=by, action="sso.domain_added", target=email_domain,
                 summary=f"Added the email domain {value}")
    return email_domain


def _lock_domain(domain: str) -> None:
    """Serialises verifications of one domain across organizations (PostgreSQL)."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sso-domain:{domain}"])


def domain_verified_elsewhere(*, domain: str, organization: Organization) -> bool:
    return (EmailDomain.objects.dangerously_unscoped().filter(domain__iexact=domain, verified_at__isnull=False)
            .exclude(organization=organization).exists())


@transaction.atomic
def email_domain_verify(*, email_domain: EmailDomain, by: User) -> EmailDomain:
    """Looks up the TXT record; verified when it holds the token. Raises SsoError otherwise."""
    if email_domain.is_verified:
        return email_domain
    _lock_domain(email_domain.domain)
    if domain_verified_elsewhere(domain=email_domain.domain, organization=email_domain.organization):
        raise SsoError(gettext("Another organization has verified %(domain)s. Contact support if it is yours.")
                       % {"domain": email_domain.domain})
    if not sso_dns.domain_has_token(email_domain.domain, email_domain.token):
        raise SsoError(gettext("The TXT record %(name)s does not hold %(value)s yet. DNS changes can take a while "
                               "to show; try again later.")
                       % {"name": sso_dns.record_name(email_domain.domain),
                          "value": sso_dns.record_value(email_domain.token)})
    email_domain.verified_at = timezone.now()
    email_domain.save(update_fields=["verified_at"])
    audit_record(organization=email_domain.organization, actor=by, action="sso.domain_verified",
                 target=email_domain, summary=f"Verified the email domain {email_domain.domain} (DNS TXT)")
    return email_domain


@transaction.atomic
def email_domain_remove(*, email_domain: EmailDomain, by: User) -> None:
    audit_record(organization=email_domain.organization, actor=by, action="sso.domain_removed",
                 target=email_domain, summary=f"Removed the email domain {email_domain.domain}")
    email_domain.delete()


def verified_domains(organization: Organization) -> set[str]:
    return {d.lower() for d in EmailDomain.objects.dangerously_unscoped()
            .filter(organization=organization, verified_at__isnull=False).values_list("domain", flat=True)}


# --- The connection -------------------------------------------------------------------------------

def connection_key_free(organization: Organization) -> str:
    """The organization's slug, unless an earlier connection (of a since renamed organization)
    holds it; keys name the connection in URLs across all organizations."""
    taken = SsoConnection.objects.dangerously_unscoped().filter(key=organization.slug).exists()
    return f"{organization.slug}-{organization.pk}" if taken else organization.slug


def idp_check(connection: SsoConnection) -> None:
    """Reads what the IdP publishes before the connection is saved: the OpenID Connect discovery
    document (its issuer must be the one given), or the SAML metadata (its entity id is kept).
    Raises SsoError with what went wrong."""
    fetched = (connection.issuer if connection.kind == SsoConnection.Kind.OIDC
               else "" if connection.metadata_xml.strip() else connection.metadata_url)
    if fetched:
        try:
            url_check(fetched)
        except UrlRefused as refused:
            raise SsoError(str(refused))
    if connection.kind == SsoConnection.Kind.OIDC:
        connection.issuer = connection.issuer.strip().rstrip("/")
        url = connection.issuer + "/.well-known/openid-configuration"
        try:
            response = CheckedSession(timeout=10).get(url)
            response.raise_for_status()
            issuer = str(response.json().get("issuer", "")).rstrip("/")
        except (OSError, ValueError, AttributeError):  # requests' errors are OSErrors
            raise SsoError(gettext("Could not read %(url)s. Check the issuer URL.") % {"url": url})
        if issuer != connection.issuer:
            raise SsoError(gettext("The provider calls itself %(issuer)s: use that as the issuer URL.")
                           % {"issuer": issuer})
        return
    try:
        if connection.metadata_xml.strip():
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(connection.metadata_xml)
        else:
            response = CheckedSession(timeout=10).get(connection.metadata_url)  # checked, no redirects
            response.raise_for_status()
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(response.text)
        idp = parsed["idp"]
        if not idp.get("singleSignOnService", {}).get("url"):
            raise KeyError("singleSignOnService")
    except Exception:  # the parser raises anything from URLError to lxml's and KeyError
        raise SsoError(gettext("Could not read the IdP's SAML metadata (entity id, sign-in URL and certificate)."))
    connection.idp_entity_id = idp["entityId"]


CONNECTION_FIELDS = ("kind", "name", "issuer", "client_id", "metadata_url", "metadata_xml", "default_role",
                     "is_enabled", "require_sso")


def sso_connection_save(*, connection: SsoConnection, by: User, changed: list[str],
                        client_secret: str | None = None) -> SsoConnection:
    """The form has set the fields; a new secret (if given) is encrypted. The audit log names the
    fields that changed, never the secret."""
    if connection.default_role not in DEFAULT_ROLE_CHOICES:
        raise SsoError(gettext("New members can be viewers, managers or admins."))
    if {"kind", "issuer", "metadata_url", "metadata_xml"} & set(changed) or connection.pk is None:
        idp_check(connection)
    created = connection.pk is None
    if created:
        connection.key = connection_key_free(connection.organization)
    changed = [f for f in changed if f in CONNECTION_FIELDS]
    if client_secret:
        connection.client_secret_encrypted = secret_encrypt(client_secret)
        changed.append("client_secret")
    with transaction.atomic():  # after idp_check's requests: no transaction held open over the network
        connection.save()
        audit_record(organization=connection.organization, actor=by,
                     action="sso.connection_created" if created else "sso.connection_changed", target=connection,
                     summary=(f"Set up single sign-on ({connection.get_kind_display()})" if created
                              else "Changed single sign-on: " + (", ".join(changed) or "no change")),
                     data={"fields": changed, "kind": connection.kind, "enabled": connection.is_enabled,
                           "require_sso": connection.require_sso, "default_role": connection.default_role})
    return connection


def connection_by_provider_id(provider_id: str) -> SsoConnection | None:
    """`oidc-acme` / `saml-acme` → that connection (any organization: the URL names it)."""
    kind, _, key = (provider_id or "").partition("-")
    if kind not in SsoConnection.Kind.values or not key:
        return None
    return (SsoConnection.objects.dangerously_unscoped().select_related("organization")
            .filter(kind=kind, key=key, organization__is_active=True).first())


def connection_for_email(email: str) -> SsoConnection | None:
    """The enabled connection of the organization that verified this address's domain."""
    domain = email_domain_of(email)
    if not domain:
        return None
    owner = (EmailDomain.objects.dangerously_unscoped().filter(domain__iexact=domain, verified_at__isnull=False)
             .values_list("organization_id", flat=True).first())
    if owner is None:
        return None
    return (SsoConnection.objects.dangerously_unscoped().select_related("organization")
            .filter(organization_id=owner, is_enabled=True, organization__is_active=True).first())


def connection_requiring_sso(email: str) -> SsoConnection | None:
    """The connection that requires single sign-on for this address, if any: then no password,
    passkey or other way in but that connection."""
    found = connection_for_email(email)
    return found if found is not None and found.require_sso else None


# --- A login from the IdP -----------------------------------------------------------------------

class SsoRefused(Exception):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        self.message = message
        super().__init__(message)


@dataclass
class SsoLogin:
    user: User
    membership: Membership
    user_created: bool
    member_created: bool


def _refuse(connection: SsoConnection, email: str, reason: str, message: str):
    audit_record(organization=connection.organization, actor=None, action="sso.login_refused", target=connection,
                 summary=f"Single sign-on refused for {email or '(no email)'}: {reason}",
                 data={"email": email, "reason": reason})
    return SsoRefused(reason, message)


def sso_login_accept(*, connection: SsoConnection, email: str, full_name: str = "",
                     linked_user: User | None = None, email_verified: bool = True) -> SsoLogin:
    """An identity the connection's IdP vouched for. Accepted only for an address at one of the
    connection's organization's verified domains; the user (found by the address, or the one
    already linked to this IdP identity) becomes a member of that organization — and only that
    one — with the connection's default role if they were not one. Raises SsoRefused (and
    records the refusal in the organization's audit log)."""
    organization = connection.organization
    email = (email or "").strip().lower()
    if not connection.is_enabled:
        raise _refuse(connection, email, "disabled", gettext("Single sign-on is switched off for this organization."))
    if not email or "@" not in email:
        raise _refuse(connection, email, "no_email",
                      gettext("Your identity provider did not send an email address."))
    if not email_verified:  # an OpenID Connect provider's `email_verified: false`: anyone may have typed it
        raise _refuse(connection, email, "email_not_verified",
                      gettext("Your identity provider has not verified %(email)s, so it cannot sign you in here. "
                              "Confirm the address with your identity provider first.") % {"email": email})
    if email_domain_of(email) not in verified_domains(organization):
        raise _refuse(connection, email, "domain_not_verified",
                      gettext("%(email)s is not at one of %(organization)s's verified domains, so its single "
                              "sign-on cannot sign you in.") % {"email": email, "organization": organization.name})
    user = linked_user or User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None and not user.is_active:
        raise _refuse(connection, email, "inactive", gettext("This account is disabled."))
    # The refusals above are in the audit log for good; what follows is one transaction.
    with transaction.atomic(), tenant_context(organization):
        user_created = user is None
        if user_created:
            user = User.objects.create_user(email=email, password=None, full_name=full_name[:200])
        invitation = next((i for i in MemberInvitation.objects.filter(email__iexact=email, accepted_at__isnull=True,
                                                                      revoked_at__isnull=True) if i.is_pending), None)
        member_created = not Membership.objects.filter(user=user).exists()
        if member_created and not user_created and linked_user is None and user.has_usable_password():
            # Nobody proved this address when its password was set (sign-ups are not confirmed by
            # email): whoever chose it must not ride the owner's first company sign-in into the
            # organization. The password goes (and with it that password's sessions); the owner
            # can set a new one by email.
            user.set_unusable_password()
            user.save(update_fields=["password"])
            audit_record(organization=organization, actor=None, action="sso.password_cleared", target=user,
                         summary=f"{email}'s password was cleared at its first single sign-on",
                         data={"email": email})
        if invitation is not None:  # invited before their first sign-in: the invitation's role and departments
            membership = member_invitation_accept(invitation=invitation, user=user)
        else:
            membership, member_created = Membership.objects.get_or_create(  # two first logins at once: one row
                user=user, defaults={"organization": organization, "role": connection.default_role})
        if member_created:
            audit_record(organization=organization, actor=user, action="sso.member_created", target=membership,
                         summary=f"{email} joined by single sign-on as {membership.get_role_display()}",
                         data={"email": email, "role": membership.role})
        audit_record(organization=organization, actor=user, action="sso.login", target=connection,
                     summary=f"{email} signed in by single sign-on ({connection.get_kind_display()})",
                     data={"email": email, "provider": connection.provider_id})
    return SsoLogin(user=user, membership=membership, user_created=user_created, member_created=member_created)
