"""OpenID Connect single sign-on in a real browser against a real provider (node-oidc-provider on
127.0.0.1): the member types their work email on our login page, signs in at their company's
IdP, comes back a member with the role the admin chose, on the dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Membership, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_member_signs_in_with_their_company_account(sso_org, oidc_provider_factory, live_server, page):
    slug = "acme-oidc"
    callback = f"{live_server.url}/accounts/oidc/oidc-{slug}/login/callback/"
    idp = oidc_provider_factory(
        clients=[{"client_id": "nps-platform", "client_secret": "idp-secret-1", "redirect_uris": [callback]}],
        users=[{"email": "Mette.Holm@acme.test", "password": "idp-Password-9", "name": "Mette Holm"}])
    organization, _owner, _connection = sso_org(
        "Acme OIDC", "acme.test", kind="oidc", name="Acme Entra ID", issuer=idp.base_url, client_id="nps-platform",
        client_secret="idp-secret-1", default_role="manager")
    assert organization.slug == slug

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your company account").click()
    page.get_by_label("Work email").fill("mette.holm@acme.test")
    page.get_by_role("button", name="Continue").click()

    # At the company's IdP (another origin), which got the address as a login hint.
    expect(page.get_by_role("heading", name="Test IdP")).to_be_visible()
    assert page.url.startswith(idp.base_url)
    expect(page.get_by_label("Email")).to_have_value("mette.holm@acme.test")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill("idp-Password-9")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/o/{slug}/dashboard/**")
    expect(page.locator("h1")).to_be_visible()
    user = User.objects.get(email="mette.holm@acme.test")
    assert user.full_name == "Mette Holm" and not user.has_usable_password()
    with tenant_context(organization):
        assert Membership.objects.get(user=user).role == "manager"
        actions = list(AuditLogEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert "sso.member_created" in actions and "sso.login" in actions
    assert Membership.objects.dangerously_unscoped().filter(user=user).count() == 1  # this organization only

    # Signed out and in again: the same member, no second membership.
    page.context.clear_cookies()
    page.goto("/accounts/sso/")
    page.get_by_label("Work email").fill("mette.holm@acme.test")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("idp-Password-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/o/{slug}/dashboard/**")
    assert User.objects.filter(email="mette.holm@acme.test").count() == 1
    assert Membership.objects.dangerously_unscoped().filter(user=user).count() == 1
