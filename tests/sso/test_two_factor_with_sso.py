"""An organization that requires two-factor and signs its members in with single sign-on: the
IdP owns that sign-in (its own second factor included), so a member who came through SAML is
not sent to set up another; a password sign-in of the same organization still is."""

from __future__ import annotations

import pytest
from django.test import Client

from organizations.models import Organization
from tests.sso.test_saml import SamlBrowser, acme_saml  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_signed_in_by_the_organizations_idp_is_not_asked_for_another_factor(
        acme_saml, live_server, add_member):  # noqa: F811
    organization, _owner, _idp = acme_saml
    Organization.objects.filter(pk=organization.pk).update(two_factor_required="everyone")
    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    landed = browser.post_assertion(action, form)
    assert landed.url == f"{live_server.url}/o/acme/dashboard/", landed.url
    assert browser.is_signed_in_to(organization)

    # A member of the same organization who signs in with a password (not an SSO domain) is.
    member = add_member(organization, "viewer", email="guest@partner.example")
    password = Client()
    password.post("/accounts/login/", {"login": member.email, "password": "pass-Word-123"})
    sent = password.get(f"/o/{organization.slug}/dashboard/")
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/2fa/")
