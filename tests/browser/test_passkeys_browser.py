"""Passkeys in a real Chromium with its virtual authenticator (CTAP2, a resident key, user
verification — like a phone or a laptop's fingerprint reader): a member registers a passkey, uses
it as the second step after the password and alone (no password), and without the authenticator
the sign-in is refused with a message; a recovery code gets them in to remove the lost key; the
audit log has the passkey added and removed, and the passkey sign-in."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(cdp) -> str:
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})["authenticatorId"]


def log_out(page):
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_a_member_registers_a_passkey_and_signs_in_with_it_alone(page, live_server, make_org, settings,
                                                                  browser_login):
    settings.WEBAUTHN_RP_ID = "localhost"  # the live server's host: a passkey belongs to one host name
    assert live_server.url.startswith("http://localhost:")
    organization, owner = make_org("Passkey ApS")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator_id = virtual_authenticator(cdp)

    browser_login(owner.email)
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Two-factor authentication and passkeys").click()
    page.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_label("Passwordless").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    key = Authenticator.objects.get(user=owner, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Work laptop" and key.wrap().is_passwordless
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]

    # As the second step after the password.
    log_out(page)
    browser_login(owner.email)
    assert "/accounts/2fa/authenticate/" in page.url
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(f"**/o/{organization.slug}/")

    # And alone, with no password.
    log_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"**/o/{organization.slug}/")
    expect(page.locator("#account-menu")).to_be_visible()
    with tenant_context(organization):
        login = AuditLogEntry.objects.filter(action="account.login").latest("created_at")
        assert "mfa:webauthn" in login.data["methods"] and "password" not in login.data["methods"]
        assert AuditLogEntry.objects.filter(action="account.passkey_added").count() == 1

    # The device is gone (another laptop, a wiped phone): the passkey cannot sign in.
    log_out(page)
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
    virtual_authenticator(cdp)  # an authenticator that holds no key for this site
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("#passkey-error")).to_be_visible()
    assert page.url.endswith("/accounts/login/")
    page.goto(f"/o/{organization.slug}/")
    assert "/accounts/login/" in page.url

    # With a recovery code the member gets in and removes the lost key.
    recovery = Authenticator.objects.get(user=owner, type=Authenticator.Type.RECOVERY_CODES).wrap()
    browser_login(owner.email)
    page.get_by_label("Code").fill(recovery.get_unused_codes()[0])
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**/o/{organization.slug}/")
    page.goto("/accounts/2fa/webauthn/")
    page.get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/accounts/2fa/webauthn/")
    assert not Authenticator.objects.filter(user=owner, type=Authenticator.Type.WEBAUTHN).exists()
    with tenant_context(organization):
        assert AuditLogEntry.objects.filter(action="account.passkey_removed").count() == 1
