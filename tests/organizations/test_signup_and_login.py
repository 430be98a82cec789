"""Signing up, logging in and out, login throttling, password reset and switching between
organizations, as a visitor experiences them through the pages."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Membership, Organization, Role, User

PASSWORD = "pass-Word-123"
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
SIGNUP = {
    "organization_name": "Nordlys Consulting",
    "full_name": "Astrid Holm",
    "email": "Astrid.Holm@Example.com",
    "password": "Bright-Harbour-2031",
}


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def login(client: Client, email: str, password: str, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})


# --- Sign up ---------------------------------------------------------------------------------

def test_signup_creates_account_organization_and_owner_membership_and_lands_on_it(db, client):
    response = client.post("/signup/", SIGNUP)

    organization = Organization.objects.get(name="Nordlys Consulting")
    assert organization.slug == "nordlys-consulting"
    assert response.status_code == 302
    assert response["Location"] == f"/o/{organization.slug}/"

    user = User.objects.get(email="astrid.holm@example.com")  # stored in lower case
    assert user.full_name == "Astrid Holm"
    assert user.check_password("Bright-Harbour-2031")
    assert logged_in_user_id(client) == str(user.pk)
    with tenant_context(organization):
        membership = Membership.objects.get(user=user)
        assert membership.role == Role.OWNER
        assert AuditLogEntry.objects.filter(action="organization.created").count() == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Nordlys Consulting" in page.content.decode()
    assert "Welcome! Your organization is ready." in page.content.decode()


def test_signup_with_an_email_already_registered_is_refused_with_a_message(org_a, client):
    _, owner = org_a
    response = client.post("/signup/", {**SIGNUP, "email": owner.email.upper()})

    assert response.status_code == 200
    assert "An account with this email exists already. Log in instead." in response.content.decode()
    assert not Organization.objects.filter(name="Nordlys Consulting").exists()
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert logged_in_user_id(client) is None


def test_signup_with_a_weak_password_is_refused(db, client):
    response = client.post("/signup/", {**SIGNUP, "password": "12345678"})

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="astrid.holm@example.com").exists()
    assert not Organization.objects.filter(name="Nordlys Consulting").exists()


def test_passwords_are_hashed_with_argon2_in_the_base_settings(db, client, settings):
    from nps_platform.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    # With the real hashers (the test settings use MD5 for speed), a new account's password
    # is stored as an argon2 hash.
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert client.post("/signup/", SIGNUP).status_code == 302
    user = User.objects.get(email="astrid.holm@example.com")
    assert user.password.startswith("argon2$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Bright-Harbour-2031")


# --- Log in and out --------------------------------------------------------------------------

def test_login_with_email_and_password_opens_the_organization(org_a, client):
    organization, owner = org_a
    response = login(client, owner.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)
    # Home sends a member of exactly one organization straight into it.
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == f"/o/{organization.slug}/"
    assert client.get(home["Location"]).status_code == 200


def test_login_with_a_wrong_password_is_refused(org_a, client):
    _, owner = org_a
    response = login(client, owner.email, "not-the-password")

    assert response.status_code == 200
    assert WRONG_PASSWORD in response.content.decode()
    assert logged_in_user_id(client) is None


def test_logout_ends_the_session(org_a, client):
    organization, owner = org_a
    login(client, owner.email, PASSWORD)
    assert client.get(f"/o/{organization.slug}/").status_code == 200

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user_id(client) is None
    after = client.get(f"/o/{organization.slug}/")
    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/")


def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(org_a, client, settings):
    _, owner = org_a
    assert settings.AXES_FAILURE_LIMIT == 3
    for _ in range(2):
        response = login(client, owner.email, "wrong-guess")
        assert response.status_code == 200
        assert WRONG_PASSWORD in response.content.decode()
    login(client, owner.email, "wrong-guess")  # the third failure reaches the limit

    response = login(client, owner.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_login_email_is_case_insensitive(make_org, client):
    _, owner = make_org("Case ApS", owner_email="kim.berg@example.com")

    response = login(client, "  Kim.Berg@EXAMPLE.com ", PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


def test_an_older_mixed_case_account_still_logs_in_with_any_case(make_org, client):
    _, owner = make_org("Legacy ApS")
    User.objects.filter(pk=owner.pk).update(email="Old.Style@Example.com")  # stored before lower-casing

    assert login(client, "old.style@example.com", PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


def test_failed_logins_in_different_cases_count_as_one_address(make_org, client):
    make_org("Lockout ApS", owner_email="lock.me@example.com")
    for variant in ("lock.me@example.com", "LOCK.ME@example.com", "Lock.Me@Example.COM"):
        login(client, variant, "wrong-guess")

    response = login(client, "lock.me@EXAMPLE.com", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_locked_out_account_does_not_block_other_accounts(make_org, client):
    _, victim = make_org("Victim")
    _, colleague = make_org("Colleague")
    for _ in range(3):
        login(client, victim.email, "wrong-guess")

    response = login(client, colleague.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(colleague.pk)


# --- Password reset --------------------------------------------------------------------------

def test_password_reset_by_email_link_sets_a_new_password(org_a, client, smtp_sink):
    _, owner = org_a

    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert client.get(response["Location"]).content.decode().count("Check your email") == 1

    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == owner.email
    assert "Reset your NPS Platform password" in message["Subject"]
    body = smtp_sink.body(message)
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1
    path = urlparse(links[0]).path
    assert path.startswith("/accounts/password/reset/key/")

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"password1": "Quiet-Meadow-4471",
                                          "password2": "Quiet-Meadow-4471"})
    assert done.status_code == 302
    assert "Your password is changed" in client.get(done["Location"]).content.decode()

    owner.refresh_from_db()
    assert owner.check_password("Quiet-Meadow-4471")
    assert not owner.check_password(PASSWORD)
    fresh = Client()
    assert login(fresh, owner.email, PASSWORD).status_code == 200  # the old one is gone
    assert login(fresh, owner.email, "Quiet-Meadow-4471").status_code == 302
    assert logged_in_user_id(fresh) == str(owner.pk)

    # The link works once.
    again = client.get(path, follow=True)
    assert "This link has expired" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db, client, smtp_sink):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert smtp_sink.wait_for(1, timeout=1.0) == []


THROTTLED = "Too many password reset requests for this address or from here."


def test_password_resets_are_throttled_per_address_with_a_friendly_message(org_a, smtp_sink, settings):
    _, owner = org_a
    settings.PASSWORD_RESET_RATE = {"address": (2, 3600), "client": (100, 3600)}
    # Each request from another client: the limit is the address's.
    for n in range(2):
        done = Client(REMOTE_ADDR=f"10.9.0.{n + 1}").post("/accounts/password/reset/", {"email": owner.email})
        assert done.status_code == 302
    assert len(smtp_sink.wait_for(2)) == 2

    limited = Client(REMOTE_ADDR="10.9.0.9").post("/accounts/password/reset/", {"email": owner.email.upper()})

    assert limited.status_code == 429
    assert THROTTLED in limited.content.decode()
    assert "Reset your password" in limited.content.decode()  # the page, in the site's layout
    assert len(smtp_sink.wait_for(3, timeout=1.0)) == 2


def test_password_resets_are_throttled_per_client_for_any_address(org_a, smtp_sink, settings):
    _, owner = org_a
    settings.PASSWORD_RESET_RATE = {"address": (100, 3600), "client": (3, 3600)}
    prober = Client(REMOTE_ADDR="10.9.1.1")
    for n in range(3):
        assert prober.post("/accounts/password/reset/", {"email": f"probe{n}@example.com"}).status_code == 302

    limited = prober.post("/accounts/password/reset/", {"email": owner.email})

    assert limited.status_code == 429 and THROTTLED in limited.content.decode()
    assert smtp_sink.wait_for(1, timeout=1.0) == []
    # Someone else is not held up.
    assert Client(REMOTE_ADDR="10.9.1.2").post("/accounts/password/reset/", {"email": owner.email}).status_code == 302


def test_the_throttle_answers_alike_for_known_and_unknown_addresses(org_a, smtp_sink, settings):
    _, owner = org_a
    settings.PASSWORD_RESET_RATE = {"address": (1, 3600), "client": (100, 3600)}

    def twice(email: str, client_ip: str):
        answers = [Client(REMOTE_ADDR=client_ip).post("/accounts/password/reset/", {"email": email})
                   for _ in range(2)]
        return [a.status_code for a in answers], THROTTLED in answers[1].content.decode()

    assert twice(owner.email, "10.9.2.1") == twice("nobody-here@example.com", "10.9.2.2") == ([302, 429], True)


# --- Several organizations -------------------------------------------------------------------

def test_a_user_in_two_organizations_sees_both_and_can_open_each(org_a, org_b, client, member_client):
    (a, owner_a), (b, _) = org_a, org_b
    with tenant_context(b):
        Membership.objects.create(user=owner_a, role=Role.VIEWER)
    member_client(owner_a)

    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/orgs/"

    page = client.get("/orgs/").content.decode()
    assert "Alpha ApS" in page
    assert "Beta AB" in page
    assert f'href="/o/{a.slug}/"' in page
    assert f'href="/o/{b.slug}/"' in page

    overview_a = client.get(f"/o/{a.slug}/")
    assert overview_a.status_code == 200
    assert "You are signed in as Owner." in overview_a.content.decode()
    overview_b = client.get(f"/o/{b.slug}/")
    assert overview_b.status_code == 200
    assert "You are signed in as Viewer." in overview_b.content.decode()


def test_the_organization_list_shows_only_the_users_own_organizations(org_a, org_b, client, member_client):
    (_, owner_a), (b, _) = org_a, org_b
    member_client(owner_a)

    page = client.get("/orgs/").content.decode()

    assert "Alpha ApS" in page
    assert "Beta AB" not in page
    assert client.get(f"/o/{b.slug}/").status_code == 404


def test_an_existing_user_can_start_another_organization(org_a, client, member_client):
    _, owner = org_a
    name = "Second Shop"
    member_client(owner)

    response = client.post("/orgs/new/", {"name": name})

    organization = Organization.objects.get(name=name)
    assert response["Location"] == f"/o/{organization.slug}/"
    with tenant_context(organization):
        assert Membership.objects.get(user=owner).role == Role.OWNER
    assert name in client.get("/orgs/").content.decode()
