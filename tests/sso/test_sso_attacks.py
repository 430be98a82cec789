"""A hostile look at single sign-on: an address squatted with a password before its owner's
first company sign-in, and a password account made for an address whose organization requires
single sign-on (the real SAML IdP on 127.0.0.1 and the real sign-up form)."""

from __future__ import annotations

import pytest
import requests

from nps_platform.tenancy import tenant_context
from organizations.models import Membership, SsoConnection, User
from tests.sso.test_saml import SamlBrowser, acme_saml  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _password_login(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=20)
    token = page.cookies.get("csrftoken") or session.cookies.get("csrftoken")
    session.post(f"{base_url}/accounts/login/", timeout=20, headers={"Referer": f"{base_url}/accounts/login/"},
                 data={"csrfmiddlewaretoken": token, "login": email, "password": password})
    return session


def test_a_password_squatted_on_an_address_does_not_ride_its_owners_first_company_sign_in(acme_saml, live_server):  # noqa: F811
    organization, _owner, _idp = acme_saml
    # Mallory signs up (no address check) as eve@acme.test before Eve ever signs in, with her own password.
    squatter = _password_login(live_server.url, "nobody@nowhere.test", "x")  # only for a CSRF cookie
    page = squatter.get(f"{live_server.url}/signup/", timeout=20)
    squatter.post(f"{live_server.url}/signup/", timeout=20, data={
        "csrfmiddlewaretoken": squatter.cookies.get("csrftoken"), "organization_name": "Mallory Ltd",
        "full_name": "Mallory", "email": "eve@acme.test", "password": "mallory-Pass-77"})
    assert page.status_code == 200 and User.objects.filter(email="eve@acme.test").exists()

    # Eve signs in with her company account: she is a member of Acme.
    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    browser.post_assertion(action, form)
    assert browser.is_signed_in_to(organization)

    # Mallory's password (and her session from the sign-up) no longer open Eve's account.
    assert squatter.get(f"{live_server.url}/o/acme/", allow_redirects=False, timeout=20).status_code != 200
    again = _password_login(live_server.url, "eve@acme.test", "mallory-Pass-77")
    assert again.get(f"{live_server.url}/o/acme/", allow_redirects=False, timeout=20).status_code != 200
    with tenant_context(organization):
        assert Membership.objects.filter(user__email="eve@acme.test").exists()


def test_the_sign_up_makes_no_password_account_for_an_address_that_must_use_sso(acme_saml, client):  # noqa: F811
    SsoConnection.objects.dangerously_unscoped().filter(key="acme").update(require_sso=True)
    for email in ("newbie@acme.test", "Newbie+x@ACME.test"):
        response = client.post("/signup/", {"organization_name": "Side Project", "full_name": "New Bie",
                                            "email": email, "password": "side-Pass-991"})
        assert response.status_code == 200
        assert "signs in with single sign-on" in response.content.decode()
    assert not User.objects.filter(email__istartswith="newbie").exists()
