"""The organization's single sign-on settings: admins only, email domains verified by a real DNS
lookup (a DNS server on 127.0.0.1), one organization per domain, the connection saved against a
real OpenID Connect provider with its secret encrypted, the URLs to paste into the IdP, and the
audit log; and where SSO is required, no password login and no password reset."""

from __future__ import annotations

import pytest
from django.core import mail

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, EmailDomain, SsoConnection
from tests.sso.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _settings_url(organization) -> str:
    return f"/o/{organization.slug}/settings/sso/"


def test_only_admins_reach_the_sso_settings(org_a, add_member, member_client):
    organization, owner = org_a
    for role in ("viewer", "manager"):
        client = member_client(add_member(organization, role))
        assert client.get(_settings_url(organization)).status_code == 403
        assert client.post(_settings_url(organization), {"action": "add_domain", "domain": "x.test"}).status_code == 403
    with tenant_context(organization):
        assert not EmailDomain.objects.exists()
    assert member_client(owner).get(_settings_url(organization)).status_code == 200


def test_a_domain_is_verified_by_its_dns_txt_record(org_a, member_client, dns_server):
    organization, owner = org_a
    client = member_client(owner)
    client.post(_settings_url(organization), {"action": "add_domain", "domain": "Acme.Test."})
    with tenant_context(organization):
        domain = EmailDomain.objects.get()
    assert domain.domain == "acme.test"
    page = client.get(_settings_url(organization)).content.decode()
    assert "_nps-verification.acme.test" in page and f"nps-domain-verification={domain.token}" in page

    # Not published yet: not verified, and the page says what to publish.
    response = client.post(_settings_url(organization), {"action": "verify_domain", "domain_id": domain.pk},
                           follow=True)
    assert "does not hold" in response.content.decode()
    domain.refresh_from_db()
    assert domain.verified_at is None

    dns_server.records["_nps-verification.acme.test"] = ["v=spf1 -all", f"nps-domain-verification={domain.token}"]
    response = client.post(_settings_url(organization), {"action": "verify_domain", "domain_id": domain.pk},
                           follow=True)
    assert "acme.test is verified" in response.content.decode()
    domain.refresh_from_db()
    assert domain.verified_at is not None
    with tenant_context(organization):
        actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"sso.domain_added", "sso.domain_verified"} <= actions


def test_a_domain_verified_by_one_organization_cannot_be_verified_by_another(org_a, org_b, member_client,
                                                                             dns_server):
    (a, owner_a), (b, owner_b) = org_a, org_b
    for organization, owner in ((a, owner_a), (b, owner_b)):
        member_client(owner).post(_settings_url(organization), {"action": "add_domain", "domain": "shared.test"})
    domain_a = EmailDomain.objects.dangerously_unscoped().get(organization=a)
    domain_b = EmailDomain.objects.dangerously_unscoped().get(organization=b)
    dns_server.records["_nps-verification.shared.test"] = [f"nps-domain-verification={domain_a.token}",
                                                           f"nps-domain-verification={domain_b.token}"]
    member_client(owner_a).post(_settings_url(a), {"action": "verify_domain", "domain_id": domain_a.pk})
    response = member_client(owner_b).post(_settings_url(b), {"action": "verify_domain", "domain_id": domain_b.pk},
                                           follow=True)
    assert "Another organization has verified shared.test" in response.content.decode()
    domain_b.refresh_from_db()
    assert domain_b.verified_at is None
    # B cannot act on A's domain by its id either: another tenant's row is not found.
    assert member_client(owner_b).post(_settings_url(b), {"action": "remove_domain",
                                                          "domain_id": domain_a.pk}).status_code == 404
    assert EmailDomain.objects.dangerously_unscoped().filter(pk=domain_a.pk).exists()


def test_the_connection_is_checked_against_the_provider_and_its_secret_is_encrypted(
        org_a, member_client, oidc_provider_factory):
    organization, owner = org_a
    idp = oidc_provider_factory(clients=[], users=[])
    client = member_client(owner)
    page = client.get(_settings_url(organization)).content.decode()
    # What the admin pastes into the provider, before anything is saved.
    assert f"http://testserver/accounts/oidc/oidc-{organization.slug}/login/callback/" in page
    assert f"http://testserver/accounts/saml/{organization.slug}/acs/" in page
    assert f"http://testserver/accounts/saml/{organization.slug}/metadata/" in page

    form = {"action": "save_connection", "kind": "oidc", "name": "Test IdP", "issuer": idp.base_url + "/nope",
            "client_id": "nps", "client_secret": "s3cret-value", "default_role": "manager", "is_enabled": "on"}
    response = client.post(_settings_url(organization), form)
    assert response.status_code == 200 and "Could not read" in response.content.decode()
    with tenant_context(organization):
        assert not SsoConnection.objects.exists()

    # "owner" is not offered for new members.
    response = client.post(_settings_url(organization), {**form, "issuer": idp.base_url, "default_role": "owner"})
    assert response.status_code == 200
    with tenant_context(organization):
        assert not SsoConnection.objects.exists()

    response = client.post(_settings_url(organization), {**form, "issuer": idp.base_url})
    assert response.status_code == 302
    with tenant_context(organization):
        connection = SsoConnection.objects.get()
        entry = AuditLogEntry.objects.get(action="sso.connection_created")
    assert (connection.issuer, connection.client_id, connection.default_role) == (idp.base_url, "nps", "manager")
    assert connection.client_secret_encrypted and "s3cret-value" not in connection.client_secret_encrypted
    from organizations.sso.adapter import social_app_for

    assert social_app_for(connection).secret == "s3cret-value"
    assert "s3cret-value" not in str(entry.data) + entry.summary

    # Saving again without a secret keeps the secret; the change is in the audit log.
    client.post(_settings_url(organization), {**form, "issuer": idp.base_url, "client_secret": "",
                                              "require_sso": "on"})
    connection.refresh_from_db()
    assert connection.require_sso and social_app_for(connection).secret == "s3cret-value"
    with tenant_context(organization):
        changed = AuditLogEntry.objects.get(action="sso.connection_changed")
    assert changed.data["fields"] == ["require_sso"]


@pytest.fixture
def sso_required(sso_org, oidc_provider_factory):
    idp = oidc_provider_factory(clients=[], users=[])
    organization, owner, connection = sso_org("Acme", "acme.test", kind="oidc", issuer=idp.base_url,
                                              client_id="nps", client_secret="x", require_sso=True)
    return organization, owner, connection


def test_a_domain_that_requires_sso_cannot_log_in_with_a_password(sso_required, client):
    organization, owner, _connection = sso_required
    response = client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Acme signs in with single sign-on" in page
    assert 'href="/accounts/sso/?email=owner%40acme.test"' in page
    assert client.get(f"/o/{organization.slug}/").status_code == 302  # still logged out


def test_a_domain_that_requires_sso_gets_no_password_reset(sso_required, client):
    _organization, owner, _connection = sso_required
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert "Acme signs in with single sign-on" in response.content.decode()
    assert mail.outbox == []


def test_other_domains_still_log_in_with_a_password(sso_required, add_member, client):
    organization, _owner, _connection = sso_required
    consultant = add_member(organization, "viewer", email="consultant@elsewhere.test")
    response = client.post("/accounts/login/", {"login": consultant.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/o/{organization.slug}/").status_code == 200


def test_the_company_sign_in_page_says_when_an_address_has_no_sso(client, db):
    response = client.post("/accounts/sso/", {"email": "someone@nowhere.test"})
    assert response.status_code == 200
    assert "Single sign-on is not set up for this address" in response.content.decode()


def test_where_sso_is_required_no_other_way_in_passes_the_login_gate(sso_required, rf):
    """allauth calls pre_login for every login (passkey, login code, a social provider): only the
    organization's own SSO passes for its domains."""
    from django.contrib.sessions.backends.cache import SessionStore

    from organizations.accounts import AccountAdapter
    from organizations.sso.adapter import social_app_for

    _organization, owner, connection = sso_required
    request = rf.get("/accounts/login/")
    request.session = SessionStore()
    kwargs = {"email_verification": "none", "email": None, "signup": False, "redirect_url": None}
    refused = AccountAdapter(request).pre_login(request, owner, signal_kwargs=None, **kwargs)
    assert refused.status_code == 403 and "signs its people in with single sign-on" in refused.content.decode()

    class Login:  # what allauth's social login carries: its provider and that provider's app
        provider = social_app_for(connection).get_provider(request)

    assert AccountAdapter(request).pre_login(request, owner, signal_kwargs={"sociallogin": Login()}, **kwargs) is None


def test_an_unknown_connection_in_a_sign_in_url_is_not_found(client, db):
    for url in ("/accounts/oidc/oidc-nobody/login/", "/accounts/oidc/oidc-nobody/login/callback/?code=x&state=y",
                "/accounts/saml/nobody/login/", "/accounts/saml/nobody/metadata/"):
        assert client.get(url).status_code == 404, url


def test_the_connection_calls_public_addresses_only(org_a, member_client, oidc_provider_factory, settings):
    organization, owner = org_a
    idp = oidc_provider_factory(clients=[], users=[])
    settings.SSO_ALLOW_PRIVATE_URLS = False
    response = member_client(owner).post(_settings_url(organization), {
        "action": "save_connection", "kind": "oidc", "issuer": idp.base_url, "client_id": "nps",
        "client_secret": "x", "default_role": "viewer", "is_enabled": "on"})
    assert "points to a private or local address (127.0.0.1)" in response.content.decode()
    with tenant_context(organization):
        assert not SsoConnection.objects.exists()


def test_an_idp_out_of_reach_is_a_message_not_an_error_page(sso_org, oidc_provider_factory, client):
    from tests.sso.conftest import _stop

    idp = oidc_provider_factory(clients=[], users=[])
    sso_org("Acme", "acme.test", kind="oidc", issuer=idp.base_url, client_id="nps", client_secret="x")
    _stop(idp.process)
    response = client.post("/accounts/sso/", {"email": "someone@acme.test"})
    assert response.status_code == 200
    assert "sign-in service cannot be reached just now" in response.content.decode()


def test_an_invitation_to_an_address_that_must_use_sso_leads_to_sso(sso_required, member_client, client, smtp_sink,
                                                                    django_capture_on_commit_callbacks):
    from tests.organizations.test_members import invitation_path, invite

    organization, owner, _connection = sso_required
    response = invite(member_client(owner), organization, django_capture_on_commit_callbacks, email="new@acme.test")
    assert response.status_code == 302, response.content.decode()[-3000:]
    client.logout()
    response = client.get(invitation_path(smtp_sink, "new@acme.test"))
    assert response.status_code == 302 and response["Location"] == "/accounts/sso/?email=new%40acme.test"
