"""Two-factor sign-in with an authenticator app (codes made by pyotp, as a phone would), recovery
codes, an organization that requires two-factor of its admins or of everyone, and the audit log
of sign-ins and second factors — all through the pages, the way a member meets them."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Organization
from organizations.services import api_key_create

PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _one_step_of_clock_drift(settings):
    # A code made at the end of a 30-second step may arrive in the next one; phones drift too.
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """after_commit(client.post, url, data): allauth announces a changed factor after commit; the
    test's transaction never commits, so the request's callbacks run as a committed one's would."""

    def send(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return send


def signed_in(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def password_step(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})


def set_up_totp(client: Client, after_commit) -> pyotp.TOTP:
    """The member opens the authenticator-app page, 'scans' the secret and types the code."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode()).group(1)
    totp = pyotp.TOTP(secret)
    done = after_commit(client.post, "/accounts/2fa/totp/activate/", {"code": totp.now()})
    assert done.status_code == 302, done.content.decode()[:2000]
    return totp


def actions(organization, **filters) -> list[str]:
    with tenant_context(organization):
        return list(AuditLogEntry.objects.filter(**filters).order_by("created_at", "pk")
                    .values_list("action", flat=True))


def test_a_member_sets_up_an_authenticator_app_and_then_signs_in_with_its_code(org_a, after_commit):
    organization, owner = org_a
    browser = Client(HTTP_USER_AGENT="Firefox on the test bench")
    assert password_step(browser, owner.email).status_code == 302
    totp = set_up_totp(browser, after_commit)
    assert "account.totp_enabled" in actions(organization)
    assert "account.two_factor_enabled" in actions(organization)
    assert "Two-factor authentication" in browser.get("/accounts/2fa/").content.decode()
    browser.post("/accounts/logout/")
    assert "account.logout" in actions(organization)

    fresh = Client()
    first = password_step(fresh, owner.email)
    # The password alone does not sign in: the second step asks for the code.
    assert first.status_code == 302 and first["Location"].startswith("/accounts/2fa/authenticate/")
    assert signed_in(fresh) is None
    assert fresh.get(f"/o/{organization.slug}/")["Location"].startswith("/accounts/login/")

    wrong = fresh.post("/accounts/2fa/authenticate/", {"code": "000000" if totp.now() != "000000" else "111111"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.content.decode()
    assert signed_in(fresh) is None
    assert "account.two_factor_failed" in actions(organization)

    right = fresh.post("/accounts/2fa/authenticate/", {"code": totp.now()})
    assert right.status_code == 302
    assert signed_in(fresh) == str(owner.pk)
    assert fresh.get(f"/o/{organization.slug}/").status_code == 200
    with tenant_context(organization):
        login = AuditLogEntry.objects.filter(action="account.login").latest("created_at")
    assert login.actor == owner and "mfa:totp" in login.data["methods"] and "password" in login.data["methods"]

    # The same code cannot be played back by someone who saw it.
    again = Client()
    password_step(again, owner.email)
    replay = again.post("/accounts/2fa/authenticate/", {"code": totp.now()})
    assert replay.status_code == 200 and signed_in(again) is None


def test_a_recovery_code_signs_in_once_and_new_codes_replace_the_old(org_a, after_commit):
    organization, owner = org_a
    browser = Client()
    password_step(browser, owner.email)
    set_up_totp(browser, after_commit)
    codes_page = browser.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"\b\d{8}\b", codes_page)
    assert len(set(codes)) >= 10

    lost_phone = Client()
    password_step(lost_phone, owner.email)
    assert lost_phone.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert signed_in(lost_phone) == str(owner.pk)
    used_again = Client()
    password_step(used_again, owner.email)
    assert used_again.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert signed_in(used_again) is None

    regenerated = after_commit(browser.post, "/accounts/2fa/recovery-codes/generate/")
    assert regenerated.status_code == 302
    assert "account.recovery_codes_regenerated" in actions(organization)
    old_code = Client()
    password_step(old_code, owner.email)
    assert old_code.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 200
    assert signed_in(old_code) is None


def test_failed_sign_ins_are_in_the_audit_log_of_the_members_organizations(org_a, org_b, add_member):
    (a, owner), (b, _other) = org_a, org_b
    assert password_step(Client(REMOTE_ADDR="10.7.0.1"), owner.email, "not-it").status_code == 200
    password_step(Client(), "nobody-at-all@example.com", "not-it")

    with tenant_context(a):
        failed = AuditLogEntry.objects.get(action="account.login_failed")
    assert failed.actor is None and failed.data["ip"] == "10.7.0.1" and owner.email in failed.summary
    assert "account.login_failed" not in actions(b)  # not the other organization's business


def require(organization, policy: str) -> None:
    Organization.objects.filter(pk=organization.pk).update(two_factor_required=policy)


ORG_PAGES = ["/o/{slug}/", "/o/{slug}/surveys/", "/o/{slug}/dashboard/", "/o/{slug}/members/",
             "/o/{slug}/settings/", "/o/{slug}/security/", "/o/{slug}/audit/", "/o/{slug}/campaigns/"]


def test_an_admin_without_two_factor_reaches_no_page_until_they_set_it_up(org_a, add_member, after_commit):
    organization, owner = org_a
    require(organization, "admins")
    admin = add_member(organization, "admin")
    viewer = add_member(organization, "viewer")
    browser = Client()
    landed = browser.post("/accounts/login/", {"login": admin.email, "password": PASSWORD}, follow=True)
    # Sent straight to the setup, with the reason.
    assert landed.redirect_chain[-1][0].startswith("/accounts/2fa/")
    assert "requires two-factor authentication for your account" in landed.content.decode()
    assert organization.name in landed.content.decode()

    for page in ORG_PAGES:
        response = browser.get(page.format(slug=organization.slug))
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/2fa/?next="), page
    api = browser.get("/api/v1/responses/", HTTP_X_ORGANIZATION=organization.slug)
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    # An API key is not a member: unaffected.
    raw, _key = api_key_create(organization=organization, name="ci", scope="read", by=owner)
    assert Client().get("/api/v1/responses/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    # The policy covers owners and admins only.
    viewer_browser = Client()
    password_step(viewer_browser, viewer.email)
    assert viewer_browser.get(f"/o/{organization.slug}/dashboard/").status_code == 200

    set_up_totp(browser, after_commit)
    # The two-factor pages lead back to where the member was going.
    assert f'href="/o/{organization.slug}/campaigns/"' in browser.get("/accounts/2fa/recovery-codes/").content.decode()

    for page in ORG_PAGES:
        assert browser.get(page.format(slug=organization.slug)).status_code == 200, page
    assert "two-factor-continue" not in browser.get("/accounts/2fa/").content.decode()  # arrived
    assert browser.get("/api/v1/responses/", HTTP_X_ORGANIZATION=organization.slug).status_code == 200


def test_when_every_member_must_use_two_factor_a_viewer_is_sent_to_set_it_up_too(org_a, add_member):
    organization, _owner = org_a
    require(organization, "everyone")
    viewer = add_member(organization, "viewer")
    browser = Client()
    password_step(browser, viewer.email)
    response = browser.get(f"/o/{organization.slug}/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    # Their other organizations, without the rule, stay open.
    require(organization, "nobody")
    assert browser.get(f"/o/{organization.slug}/dashboard/").status_code == 200


def test_a_member_cannot_turn_off_their_last_second_factor_while_the_organization_requires_it(org_a, after_commit):
    organization, owner = org_a
    browser = Client()
    password_step(browser, owner.email)
    set_up_totp(browser, after_commit)
    require(organization, "admins")

    refused = browser.post("/accounts/2fa/totp/deactivate/")
    assert "You cannot deactivate two-factor authentication." in refused.content.decode()
    assert browser.get(f"/o/{organization.slug}/").status_code == 200

    require(organization, "nobody")
    assert after_commit(browser.post, "/accounts/2fa/totp/deactivate/").status_code == 302
    assert "account.totp_disabled" in actions(organization)
    assert "account.two_factor_disabled" in actions(organization)


def test_only_admins_set_the_policy_on_the_security_page(org_a, add_member, member_client):
    organization, owner = org_a
    manager_browser = Client()
    manager_browser.force_login(add_member(organization, "viewer"), backend="django.contrib.auth.backends.ModelBackend")
    assert manager_browser.get(f"/o/{organization.slug}/security/").status_code == 403
    assert manager_browser.post(f"/o/{organization.slug}/security/",
                                {"two_factor_required": "everyone"}).status_code == 403

    client = member_client(owner)
    page = client.get(f"/o/{organization.slug}/security/").content.decode()
    assert "Two-factor authentication" in page and "Owners and admins" in page and owner.email in page
    saved = client.post(f"/o/{organization.slug}/security/", {"two_factor_required": "admins"})
    assert saved.status_code == 302
    organization.refresh_from_db()
    assert organization.two_factor_required == "admins"
    with tenant_context(organization):
        entry = AuditLogEntry.objects.get(action="organization.settings_changed")
    assert entry.data["fields"] == ["two_factor_required"] and entry.actor == owner
    # The owner has no second factor yet: the very next page sends them to set it up.
    assert client.get(f"/o/{organization.slug}/security/")["Location"].startswith("/accounts/2fa/")
    # Nonsense is refused without a change or an error page.
    Organization.objects.filter(pk=organization.pk).update(two_factor_required="nobody")
    bad = client.post(f"/o/{organization.slug}/security/", {"two_factor_required": "martians"})
    assert bad.status_code == 200
    organization.refresh_from_db()
    assert organization.two_factor_required == "nobody"


def test_a_member_sees_their_other_sessions_and_ending_one_signs_that_browser_out(org_a, after_commit):
    organization, owner = org_a
    laptop = Client(HTTP_USER_AGENT="Laptop Firefox", REMOTE_ADDR="10.1.1.1")
    phone = Client(HTTP_USER_AGENT="Phone Safari", REMOTE_ADDR="10.2.2.2")
    password_step(laptop, owner.email)
    password_step(phone, owner.email)
    assert phone.get(f"/o/{organization.slug}/").status_code == 200

    # A session that did not start on the login page (the sign-up, an invitation) is listed from its first page.
    tablet = Client(HTTP_USER_AGENT="Tablet Chrome", REMOTE_ADDR="10.3.3.3")
    tablet.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert tablet.get(f"/o/{organization.slug}/").status_code == 200

    assert 'href="/accounts/sessions/"' in laptop.get("/accounts/profile/").content.decode()
    listing = laptop.get("/accounts/sessions/").content.decode()
    assert "Phone Safari" in listing and "10.2.2.2" in listing and "Laptop Firefox" in listing
    assert "Tablet Chrome" in listing and "This browser" in listing
    phone_session = re.search(r'<td class="small">Phone Safari</td>.*?action="(/accounts/sessions/(\d+)/end/)"',
                              listing, re.S)
    assert phone_session and listing.count("/end/") == 2  # the current session has no end button

    ended = after_commit(laptop.post, phone_session.group(1))
    assert ended.status_code == 302

    after = phone.get(f"/o/{organization.slug}/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    assert laptop.get(f"/o/{organization.slug}/").status_code == 200
    assert "account.session_ended" in actions(organization)
    # Someone else's session id is not found.
    assert Client().post(phone_session.group(1)).status_code == 302  # to the login page


def test_the_django_admin_signs_in_through_the_same_pages_and_second_step(db, after_commit):
    from organizations.models import User

    staff = User.objects.create_superuser("ops@example.com", PASSWORD)
    browser = Client()
    to_login = browser.get("/admin/")
    assert to_login.status_code == 302
    assert browser.get(to_login["Location"], follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
    password_step(browser, staff.email)
    totp = set_up_totp(browser, after_commit)
    browser.post("/accounts/logout/")

    fresh = Client()
    assert password_step(fresh, staff.email, next="/admin/")["Location"].startswith("/accounts/2fa/authenticate/")
    assert fresh.get("/admin/").status_code == 302  # not before the second step
    assert fresh.post("/accounts/2fa/authenticate/", {"code": totp.now()})["Location"] == "/admin/"
    assert fresh.get("/admin/").status_code == 200


def test_a_new_member_invited_into_an_organization_that_requires_two_factor_sets_it_up_straight_away(
        org_a, smtp_sink, django_capture_on_commit_callbacks, after_commit):
    from tests.organizations.test_members import invitation_path, invite

    organization, owner = org_a
    admin = Client()
    admin.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    invite(admin, organization, django_capture_on_commit_callbacks, email="nina@example.com")
    require(organization, "everyone")
    smtp_sink.wait_for(1)

    newcomer = Client()
    joined = newcomer.post(invitation_path(smtp_sink, "nina@example.com"),
                           {"full_name": "Nina Colleague", "password": "Silver-Lantern-884"}, follow=True)
    assert joined.redirect_chain[-1][0].startswith("/accounts/2fa/")
    assert "requires two-factor authentication for your account" in joined.content.decode()
    set_up_totp(newcomer, after_commit)  # no second password prompt right after creating the account
    assert newcomer.get(f"/o/{organization.slug}/").status_code == 200
