"""A hostile look at the two-factor requirement and the sessions list, through the real login:
a member their organization asks for a second factor tries the API with a session and another
Authorization header, an export, an htmx partial and the Django admin; a code from an
authenticator app is sent twice; a member ends another member's session by its id."""

from __future__ import annotations

import pyotp
import pytest
from allauth.usersessions.models import UserSession
from django.test import Client

from tests.organizations.test_two_factor import PASSWORD, password_step, require, set_up_totp, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    def send(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return send


def test_a_session_with_another_authorization_header_still_needs_the_second_factor(org_a, add_member):
    organization, _owner = org_a
    require(organization, "admins")
    admin = add_member(organization, "admin")
    browser = Client()
    password_step(browser, admin.email)
    for header in ("Basic YWRtaW46eA==", "Token nothing", "bearer lower-case"):
        api = browser.get("/api/v1/responses/", HTTP_X_ORGANIZATION=organization.slug, HTTP_AUTHORIZATION=header)
        assert api.status_code in (401, 403), (header, api.status_code)
        assert "results" not in api.content.decode(), header


def test_exports_partials_and_the_django_admin_wait_for_the_second_factor(org_a, add_member):
    from organizations.models import Membership, User

    organization, _owner = org_a
    require(organization, "admins")
    staff = User.objects.create_superuser("ops-admin@example.com", PASSWORD)
    Membership.objects.dangerously_unscoped().create(organization=organization, user=staff, role="admin")
    browser = Client()
    password_step(browser, staff.email)
    assert signed_in(browser) == str(staff.pk)
    export = browser.get(f"/o/{organization.slug}/dashboard/export.csv")
    assert export.status_code == 302 and export["Location"].startswith("/accounts/2fa/")
    partial = browser.get(f"/o/{organization.slug}/dashboard/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 204 and partial["HX-Redirect"].startswith("/accounts/2fa/")
    # The admin shows every organization's data: not before the organization's second factor either.
    admin = browser.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/accounts/2fa/"), admin.status_code


def test_a_code_from_the_authenticator_app_signs_in_once(org_a, after_commit):
    _organization, owner = org_a
    browser = Client()
    password_step(browser, owner.email)
    totp = set_up_totp(browser, after_commit)
    code = pyotp.TOTP(totp.secret).now()
    first = Client()
    password_step(first, owner.email)
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert signed_in(first) == str(owner.pk)
    replayed = Client()  # the same code, seen over a shoulder, within its 30 seconds
    password_step(replayed, owner.email)
    assert replayed.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert signed_in(replayed) is None


def test_a_member_neither_sees_nor_ends_another_members_session(org_a, add_member):
    organization, owner = org_a
    other = add_member(organization, "viewer")
    theirs = Client()
    password_step(theirs, other.email)
    theirs.get(f"/o/{organization.slug}/")
    their_session = UserSession.objects.get(user=other)
    mine = Client()
    password_step(mine, owner.email)
    mine.get(f"/o/{organization.slug}/")
    listed = mine.get("/accounts/sessions/")
    assert listed.status_code == 200 and f"/accounts/sessions/{their_session.pk}/end/" not in listed.content.decode()
    assert mine.post(f"/accounts/sessions/{their_session.pk}/end/").status_code == 404
    assert signed_in(theirs) == str(other.pk)
    assert theirs.get(f"/o/{organization.slug}/").status_code == 200


def test_every_spelling_of_an_sso_required_address_is_sent_to_sso(org_a, add_member, client):
    from django.core import mail

    from organizations.models import EmailDomain, SsoConnection

    organization, _owner = org_a
    EmailDomain.objects.dangerously_unscoped().create(organization=organization, domain="acme.test", token="t",
                                                      verified_at="2026-01-01T00:00:00Z")
    SsoConnection.objects.dangerously_unscoped().create(organization=organization, key="alpha", kind="saml",
                                                        is_enabled=True, require_sso=True)
    boss = add_member(organization, "admin", email="boss@acme.test")
    for spelling in ("boss@acme.test", "BOSS@ACME.TEST", " Boss@Acme.Test ", "boss+x@acme.test"):
        for url, data in (("/accounts/login/", {"login": spelling, "password": PASSWORD}),
                          ("/accounts/password/reset/", {"email": spelling}),
                          ("/signup/", {"organization_name": "X", "full_name": "X",
                                        "email": "newbie" + spelling.strip()[4:], "password": "side-Pass-991"})):
            response = client.post(url, data)
            assert response.status_code == 200, (url, spelling, response.status_code)
            assert "signs in with single sign-on" in response.content.decode(), (url, spelling)
    assert mail.outbox == [] and client.session.get("_auth_user_id") is None
    # Look-alikes are other domains: no account there, an ordinary refusal, never an error page.
    for spelling in ("boss@acme.test.", "boss@аcme.test", "boss@sub.acme.test"):
        response = client.post("/accounts/login/", {"login": spelling, "password": PASSWORD})
        assert response.status_code == 200 and client.session.get("_auth_user_id") is None, spelling
    boss.refresh_from_db()
    assert boss.has_usable_password()
