"""Small page texts a new user reads: the 403 page in the site's layout naming the role needed,
the organization address in the settings' slug help, the webhook signature's help."""

from __future__ import annotations

import html

from organizations.models import Role


def test_a_403_uses_the_site_layout_and_names_the_role_needed(org_a, add_member, member_client):
    organization, _ = org_a
    viewer = add_member(organization, Role.VIEWER)
    page = member_client(viewer).get(f"/o/{organization.slug}/settings/")
    assert page.status_code == 403
    text = page.content.decode()
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in text and "<nav" in text  # base.html
    assert organization.name in text
    assert "Owner, Admin" in text and "Your role here is Viewer" in text


def test_a_403_from_a_closed_loop_page_uses_the_layout_too(org_a, add_member, member_client):
    organization, _ = org_a
    viewer = add_member(organization, Role.VIEWER)
    page = member_client(viewer).get(f"/o/{organization.slug}/followup/rules/new/")
    assert page.status_code == 403
    assert "<nav" in page.content.decode() and "Admin" in page.content.decode()


def test_the_slug_help_shows_the_address(org_a, member_client):
    organization, owner = org_a
    text = member_client(owner).get(f"/o/{organization.slug}/settings/").content.decode()
    assert "/o//" not in text
    help_text = html.unescape(text.split('id="id_slug_helptext"')[1][:300])
    assert f"/o/{organization.slug}/" in help_text


def test_the_webhook_help_shows_what_is_signed(org_a, member_client):
    organization, owner = org_a
    text = member_client(owner).get(f"/o/{organization.slug}/followup/webhooks/").content.decode()
    assert "<code>&lt;X-NPS-Timestamp&gt;.&lt;body&gt;</code>" in text
