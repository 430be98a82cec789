"""Members: inviting colleagues by email, joining through the link, roles, the last owner, and
the same actions attempted by an admin of another organization."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from nps_platform.tenancy import tenant_context
from organizations.models import Department, MemberInvitation, Membership, Role, User

PASSWORD = "pass-Word-123"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def add_member(organization, role: str, email: str | None = None, departments=()) -> User:
    user = User.objects.create_user(email=email or f"{role}-{organization.slug}@example.com",
                                    password=PASSWORD, full_name=f"{role.title()} Person")
    with tenant_context(organization):
        membership = Membership.objects.create(user=user, role=role)
        membership.departments.set(departments)
    return user


def membership_of(organization, user: User) -> Membership | None:
    with tenant_context(organization):
        return Membership.objects.filter(user=user).first()


def invitations(organization) -> list[MemberInvitation]:
    with tenant_context(organization):
        return list(MemberInvitation.objects.order_by("pk"))


def invite(client: Client, organization, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/o/{organization.slug}/members/", {"role": "viewer", **data})


def invitation_path(sink, to: str) -> str:
    """The /invite/<token>/ path from the (last) invitation mailed to `to`."""
    mine = [m for m in sink.messages if m["To"] == to]
    assert mine, f"no mail to {to}"
    links = re.findall(r"https?://\S+", sink.body(mine[-1]))
    assert len(links) == 1
    path = urlparse(links[0]).path
    assert re.fullmatch(r"/invite/[^/]+/", path)
    return path


@pytest.fixture
def admin_of_a(org_a):
    organization, _ = org_a
    return add_member(organization, Role.ADMIN)


@pytest.fixture
def admin_of_b(org_b):
    organization, _ = org_b
    return add_member(organization, Role.ADMIN)


@pytest.fixture
def pending_invitation(org_a, smtp_sink, django_capture_on_commit_callbacks):
    """An invitation made through the page by A's owner; returns (invitation, link path)."""
    organization, owner = org_a
    response = invite(client_for(owner), organization, django_capture_on_commit_callbacks,
                      email="pending@example.com", role="viewer")
    assert response.status_code == 302
    smtp_sink.wait_for(1)
    (invitation,) = invitations(organization)
    return invitation, invitation_path(smtp_sink, "pending@example.com")


# --- Inviting and joining --------------------------------------------------------------------

def test_invited_colleague_gets_an_email_creates_an_account_and_joins_with_the_invited_role(
        org_a, admin_of_a, smtp_sink, django_capture_on_commit_callbacks):
    organization, _ = org_a
    with tenant_context(organization):
        sales = Department.objects.create(name="Sales")
    admin = client_for(admin_of_a)

    response = invite(admin, organization, django_capture_on_commit_callbacks,
                      email="New.Colleague@Example.com", role="manager", departments=[sales.pk])

    assert response.status_code == 302
    members_page = admin.get(response["Location"]).content.decode()
    assert "invitation sent to new.colleague@example.com." in members_page.lower()
    assert "Pending invitations" in members_page
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "new.colleague@example.com"
    assert messages[0]["Subject"] == "You are invited to Alpha ApS on NPS Platform"
    assert "Admin Person invited you to Alpha ApS" in smtp_sink.body(messages[0])
    path = invitation_path(smtp_sink, "new.colleague@example.com")

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Join Alpha ApS" in page.content.decode()
    assert "Create your account for new.colleague@example.com." in page.content.decode()

    joined = visitor.post(path, {"full_name": "Nina Colleague", "password": "Silver-Lantern-884"})

    assert joined.status_code == 302
    assert joined["Location"] == f"/o/{organization.slug}/"
    user = User.objects.get(email="new.colleague@example.com")
    assert user.full_name == "Nina Colleague"
    assert user.check_password("Silver-Lantern-884")
    membership = membership_of(organization, user)
    assert membership.role == Role.MANAGER
    with tenant_context(organization):
        assert [d.name for d in membership.departments.all()] == ["Sales"]
        (invitation,) = MemberInvitation.objects.all()
        assert invitation.accepted_at is not None
    overview = visitor.get(joined["Location"])
    assert overview.status_code == 200
    assert "You are signed in as Manager." in overview.content.decode()

    # The link is used up.
    again = Client().get(path)
    assert again.status_code == 410
    assert "This invitation can no longer be used" in again.content.decode()


def test_an_existing_user_logs_in_from_the_invitation_and_accepts(
        org_a, org_b, smtp_sink, django_capture_on_commit_callbacks):
    (a, owner_a), (_, owner_b) = org_a, org_b
    invite(client_for(owner_a), a, django_capture_on_commit_callbacks, email=owner_b.email, role="admin")
    smtp_sink.wait_for(1)
    path = invitation_path(smtp_sink, owner_b.email)
    visitor = Client()

    to_login = visitor.get(path)
    assert to_login.status_code == 302
    assert to_login["Location"] == f"/accounts/login/?next={path}"
    logged_in = visitor.post("/accounts/login/", {"login": owner_b.email, "password": PASSWORD, "next": path})
    assert logged_in.status_code == 302
    assert logged_in["Location"] == path
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Join Alpha ApS" in page.content.decode()
    assert "You were invited as Admin" in page.content.decode()
    assert membership_of(a, owner_b) is None  # looking is not joining

    accepted = visitor.post(path)

    assert accepted.status_code == 302
    assert accepted["Location"] == f"/o/{a.slug}/"
    assert membership_of(a, owner_b).role == Role.ADMIN
    assert "You have joined Alpha ApS." in visitor.get(accepted["Location"]).content.decode()
    assert User.objects.filter(email=owner_b.email).count() == 1


def test_an_invitation_cannot_be_accepted_by_someone_logged_in_as_another_address(
        org_a, org_b, smtp_sink, django_capture_on_commit_callbacks):
    (a, owner_a), (_, owner_b) = org_a, org_b
    invite(client_for(owner_a), a, django_capture_on_commit_callbacks, email="intended@example.com", role="admin")
    smtp_sink.wait_for(1)
    path = invitation_path(smtp_sink, "intended@example.com")
    wrong = client_for(owner_b)

    page = wrong.get(path)
    attempt = wrong.post(path)

    assert page.status_code == 403
    assert "This invitation is for someone else" in page.content.decode()
    assert attempt.status_code == 403
    assert membership_of(a, owner_b) is None
    assert invitations(a)[-1].accepted_at is None


def test_a_revoked_invitation_can_no_longer_be_used(org_a, pending_invitation):
    organization, owner = org_a
    invitation, path = pending_invitation

    response = client_for(owner).post(f"/o/{organization.slug}/members/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    page = Client().get(path)
    assert page.status_code == 410
    assert "This invitation can no longer be used" in page.content.decode()
    assert Client().post(path, {"full_name": "Late", "password": "Silver-Lantern-884"}).status_code == 410
    assert not User.objects.filter(email="pending@example.com").exists()


def test_an_expired_invitation_can_no_longer_be_used(org_a, pending_invitation):
    organization, _ = org_a
    invitation, path = pending_invitation
    with tenant_context(organization):
        MemberInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    page = Client().get(path)

    assert page.status_code == 410
    assert "This invitation can no longer be used" in page.content.decode()
    assert not User.objects.filter(email="pending@example.com").exists()


def test_a_fresh_invitation_link_works_before_it_expires(org_a, pending_invitation):
    """The twin of the expiry test: the same link, a minute before expiry, still opens."""
    organization, _ = org_a
    invitation, path = pending_invitation
    with tenant_context(organization):
        MemberInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(minutes=1))

    assert Client().get(path).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "1.short", "999999.abcdefghijklmnopqrstuvwxyz", "x" * 300])
def test_an_unknown_invitation_token_is_not_found(org_a, pending_invitation, token):
    assert Client().get(f"/invite/{token}/").status_code == 404


def test_a_token_with_the_right_secret_but_another_organizations_id_is_not_found(org_a, org_b, pending_invitation):
    _, path = pending_invitation
    b, _ = org_b
    token = path.split("/")[2]
    _, _, secret = token.partition(".")

    assert Client().get(f"/invite/{b.pk}.{secret}/").status_code == 404


def test_a_manager_invitation_without_departments_is_refused(
        org_a, smtp_sink, django_capture_on_commit_callbacks):
    organization, owner = org_a

    response = invite(client_for(owner), organization, django_capture_on_commit_callbacks,
                      email="mgr@example.com", role="manager")

    assert response.status_code == 200
    assert "A manager needs at least one department." in response.content.decode()
    assert invitations(organization) == []
    assert smtp_sink.wait_for(1, timeout=1.0) == []


def test_inviting_someone_who_is_already_a_member_is_refused(org_a, admin_of_a, django_capture_on_commit_callbacks):
    organization, owner = org_a

    response = invite(client_for(owner), organization, django_capture_on_commit_callbacks,
                      email=admin_of_a.email.upper(), role="viewer")

    assert response.status_code == 200
    assert "is already a member." in response.content.decode()
    assert invitations(organization) == []


def test_an_admin_cannot_invite_an_owner(org_a, admin_of_a, django_capture_on_commit_callbacks):
    organization, _ = org_a

    response = invite(client_for(admin_of_a), organization, django_capture_on_commit_callbacks,
                      email="boss@example.com", role="owner")

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert invitations(organization) == []


# --- Who may manage members ------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
def test_viewers_and_managers_cannot_invite_or_open_settings(org_a, role, django_capture_on_commit_callbacks):
    organization, _ = org_a
    with tenant_context(organization):
        department = Department.objects.create(name="Ops")
    client = client_for(add_member(organization, role, departments=[department]))

    members_page = client.get(f"/o/{organization.slug}/members/")
    assert members_page.status_code == 200
    assert "Invite a colleague" not in members_page.content.decode()
    response = invite(client, organization, django_capture_on_commit_callbacks, email="x@example.com")
    assert response.status_code == 403
    assert client.get(f"/o/{organization.slug}/settings/").status_code == 403
    assert client.post(f"/o/{organization.slug}/settings/", {"name": "Hijacked"}).status_code == 403
    assert invitations(organization) == []
    organization.refresh_from_db()
    assert organization.name == "Alpha ApS"


def test_an_admin_can_invite_and_open_settings(org_a, admin_of_a, django_capture_on_commit_callbacks):
    """The twin of the 403 test above: an admin is allowed both."""
    organization, _ = org_a
    client = client_for(admin_of_a)

    assert client.get(f"/o/{organization.slug}/settings/").status_code == 200
    response = invite(client, organization, django_capture_on_commit_callbacks, email="x@example.com")
    assert response.status_code == 302
    assert [i.email for i in invitations(organization)] == ["x@example.com"]


# --- Owners ----------------------------------------------------------------------------------

def test_the_last_owner_cannot_be_demoted(org_a):
    organization, owner = org_a
    membership = membership_of(organization, owner)

    response = client_for(owner).post(f"/o/{organization.slug}/members/{membership.pk}/", {"role": "admin"})

    assert response.status_code == 200
    assert "An organization needs at least one owner." in response.content.decode()
    assert membership_of(organization, owner).role == Role.OWNER


def test_the_last_owner_cannot_be_removed(org_a):
    organization, owner = org_a
    membership = membership_of(organization, owner)
    client = client_for(owner)

    response = client.post(f"/o/{organization.slug}/members/{membership.pk}/remove/", follow=True)

    assert "An organization needs at least one owner." in response.content.decode()
    assert membership_of(organization, owner).role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(org_a):
    organization, owner = org_a
    add_member(organization, Role.OWNER, email="second-owner@example.com")
    membership = membership_of(organization, owner)

    response = client_for(owner).post(f"/o/{organization.slug}/members/{membership.pk}/", {"role": "admin"})

    assert response.status_code == 302
    assert membership_of(organization, owner).role == Role.ADMIN


def test_an_admin_cannot_edit_or_remove_an_owner(org_a, admin_of_a):
    organization, owner = org_a
    membership = membership_of(organization, owner)
    client = client_for(admin_of_a)

    page = client.get(f"/o/{organization.slug}/members/{membership.pk}/", follow=True)
    assert "Only an owner can change another owner." in page.content.decode()
    demote = client.post(f"/o/{organization.slug}/members/{membership.pk}/", {"role": "viewer"}, follow=True)
    assert "Only an owner can change another owner." in demote.content.decode()
    remove = client.post(f"/o/{organization.slug}/members/{membership.pk}/remove/", follow=True)
    assert "Only an owner can remove another owner." in remove.content.decode()

    assert membership_of(organization, owner).role == Role.OWNER


def test_an_admin_can_change_and_remove_a_viewer(org_a, admin_of_a):
    organization, _ = org_a
    viewer = add_member(organization, Role.VIEWER)
    with tenant_context(organization):
        support = Department.objects.create(name="Support")
    membership = membership_of(organization, viewer)
    client = client_for(admin_of_a)

    changed = client.post(f"/o/{organization.slug}/members/{membership.pk}/",
                          {"role": "manager", "departments": [support.pk]})
    assert changed.status_code == 302
    membership = membership_of(organization, viewer)
    assert membership.role == Role.MANAGER
    with tenant_context(organization):
        assert list(membership.departments.all()) == [support]

    removed = client.post(f"/o/{organization.slug}/members/{membership.pk}/remove/", follow=True)
    assert f"{viewer.email} no longer has access." in removed.content.decode()
    assert membership_of(organization, viewer) is None


def test_an_admin_cannot_promote_anyone_to_owner(org_a, admin_of_a):
    organization, _ = org_a
    viewer = add_member(organization, Role.VIEWER)
    membership = membership_of(organization, viewer)

    response = client_for(admin_of_a).post(f"/o/{organization.slug}/members/{membership.pk}/", {"role": "owner"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert membership_of(organization, viewer).role == Role.VIEWER


# --- Cross-tenant twins: an admin of B against A's ids -----------------------------------------

def test_another_organizations_admin_cannot_edit_a_membership(org_a, org_b, admin_of_b):
    (a, _), (b, _) = org_a, org_b
    viewer = add_member(a, Role.VIEWER)
    membership = membership_of(a, viewer)
    intruder = client_for(admin_of_b)

    for slug in (a.slug, b.slug):
        url = f"/o/{slug}/members/{membership.pk}/"
        assert intruder.get(url).status_code == 404
        assert intruder.post(url, {"role": "admin"}).status_code == 404

    assert membership_of(a, viewer).role == Role.VIEWER
    assert membership_of(b, viewer) is None


def test_another_organizations_admin_cannot_remove_a_member(org_a, org_b, admin_of_b):
    (a, owner_a), (b, _) = org_a, org_b
    viewer = add_member(a, Role.VIEWER)
    for user in (viewer, owner_a):
        membership = membership_of(a, user)
        for slug in (a.slug, b.slug):
            assert client_for(admin_of_b).post(f"/o/{slug}/members/{membership.pk}/remove/").status_code == 404

    assert membership_of(a, viewer).role == Role.VIEWER
    assert membership_of(a, owner_a).role == Role.OWNER


def test_another_organizations_admin_cannot_revoke_or_resend_an_invitation(
        org_a, org_b, admin_of_b, pending_invitation, smtp_sink, django_capture_on_commit_callbacks):
    (a, _), (b, _) = org_a, org_b
    invitation, path = pending_invitation
    intruder = client_for(admin_of_b)

    for slug in (a.slug, b.slug):
        with django_capture_on_commit_callbacks(execute=True):
            revoke = intruder.post(f"/o/{slug}/members/invitations/{invitation.pk}/revoke/")
            resend = intruder.post(f"/o/{slug}/members/invitations/{invitation.pk}/resend/")
        assert revoke.status_code == 404
        assert resend.status_code == 404

    (unchanged,) = invitations(a)
    assert unchanged.revoked_at is None
    assert unchanged.token_hash == invitation.token_hash
    assert len(smtp_sink.messages) == 1  # no new link was mailed
    assert Client().get(path).status_code == 200  # the original link still works


def test_another_organizations_admin_cannot_see_or_invite_into_the_organization(
        org_a, org_b, admin_of_b, django_capture_on_commit_callbacks):
    (a, _), _ = org_a, org_b
    intruder = client_for(admin_of_b)

    assert intruder.get(f"/o/{a.slug}/members/").status_code == 404
    assert invite(intruder, a, django_capture_on_commit_callbacks, email="spy@example.com").status_code == 404
    assert intruder.get(f"/o/{a.slug}/settings/").status_code == 404
    assert invitations(a) == []


def test_a_manager_invitation_cannot_name_another_organizations_department(
        org_a, org_b, django_capture_on_commit_callbacks):
    (a, owner_a), (b, _) = org_a, org_b
    with tenant_context(b):
        foreign = Department.objects.create(name="Foreign")

    response = invite(client_for(owner_a), a, django_capture_on_commit_callbacks,
                      email="mgr@example.com", role="manager", departments=[foreign.pk])

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert invitations(a) == []


def test_the_same_admin_actions_work_within_the_own_organization(
        org_a, admin_of_a, pending_invitation, smtp_sink, django_capture_on_commit_callbacks):
    """The twin of the cross-tenant tests: A's admin, with the same ids, succeeds."""
    organization, _ = org_a
    invitation, old_path = pending_invitation
    client = client_for(admin_of_a)

    with django_capture_on_commit_callbacks(execute=True):
        resend = client.post(f"/o/{organization.slug}/members/invitations/{invitation.pk}/resend/", follow=True)
    assert "A new link is on its way to pending@example.com." in resend.content.decode()
    assert len(smtp_sink.wait_for(2)) == 2
    new_path = invitation_path(smtp_sink, "pending@example.com")
    assert new_path != old_path
    assert Client().get(old_path).status_code == 404  # the new link voids the old one
    assert Client().get(new_path).status_code == 200

    revoke = client.post(f"/o/{organization.slug}/members/invitations/{invitation.pk}/revoke/")
    assert revoke.status_code == 302
    assert invitations(organization)[0].revoked_at is not None
