"""SAML 2.0 single sign-on over real HTTP: our live server as the SP, pysaml2's IdP (signed
assertions, its own key) on 127.0.0.1, a client that follows the redirects and posts the IdP's
form as a browser would. A signed assertion signs a new member in; a tampered one (the email
changed, the signature kept), one for an unverified domain, and another organization's IdP
vouching for our domain are refused."""

from __future__ import annotations

import base64
import html
import re
from urllib.parse import urljoin

import pytest
import requests

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Membership, User

pytestmark = pytest.mark.django_db(transaction=True)

_INPUT = re.compile(r'<input[^>]*name="(?P<name>[^"]+)"[^>]*value="(?P<value>[^"]*)"')
_ACTION = re.compile(r'<form[^>]*action="(?P<action>[^"]+)"')


def _fields(page: str) -> dict[str, str]:
    return {m["name"]: html.unescape(m["value"]) for m in _INPUT.finditer(page)}


class SamlBrowser:
    """A requests session walking the SP-initiated flow step by step."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(urljoin(self.base_url, path), timeout=20, **kwargs)

    def idp_login_page(self, email: str) -> requests.Response:
        page = self.get("/accounts/sso/")
        token = _fields(page.text)["csrfmiddlewaretoken"]
        response = self.session.post(urljoin(self.base_url, "/accounts/sso/"), timeout=20,
                                     data={"csrfmiddlewaretoken": token, "email": email})
        assert "Test SAML IdP" in response.text, response.text[:2000]
        return response

    def assertion_form(self, idp_page: requests.Response, email: str, password: str) -> tuple[str, dict]:
        fields = {**_fields(idp_page.text), "email": email, "password": password}
        response = self.session.post(urljoin(idp_page.url, "/login"), data=fields, timeout=20)
        form = _fields(response.text)
        assert "SAMLResponse" in form, response.text[:2000]
        return html.unescape(_ACTION.search(response.text)["action"]), form

    def post_assertion(self, action: str, form: dict) -> requests.Response:
        return self.session.post(action, data=form, timeout=20)

    def is_signed_in_to(self, organization) -> bool:
        response = self.get(f"/o/{organization.slug}/", allow_redirects=False)
        return response.status_code == 200


IDP_USERS = [
    {"email": "eve@acme.test", "password": "idp-Pass-1", "name": "Eve Lind"},
    {"email": "zed@gmail.test", "password": "idp-Pass-2", "name": "Zed Out"},
]


@pytest.fixture
def acme_saml(sso_org, saml_idp_factory, live_server):
    """Acme (acme.test verified) signing in with SAML through its IdP (metadata by URL)."""
    idp = saml_idp_factory(sp_metadata_urls=[f"{live_server.url}/accounts/saml/acme/metadata/"], users=IDP_USERS)
    organization, owner, connection = sso_org("Acme", "acme.test", kind="saml", name="Acme IdP",
                                              metadata_url=f"{idp.base_url}/metadata")
    assert connection.key == "acme" and connection.idp_entity_id == f"{idp.base_url}/metadata"
    return organization, owner, idp


def test_a_signed_assertion_signs_a_new_member_in(acme_saml, live_server):
    organization, _owner, _idp = acme_saml
    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    assert action == f"{live_server.url}/accounts/saml/acme/acs/"
    assert b"Signature" in base64.b64decode(form["SAMLResponse"])
    response = browser.post_assertion(action, form)
    assert response.url == f"{live_server.url}/o/acme/dashboard/", response.text[:2000]
    eve = User.objects.get(email="eve@acme.test")
    assert eve.full_name == "Eve Lind"
    with tenant_context(organization):
        assert Membership.objects.get(user=eve).role == "viewer"
        assert AuditLogEntry.objects.filter(action="sso.login", actor=eve).exists()
    assert browser.is_signed_in_to(organization)
    # The SP metadata the IdP was given names the ACS URL.
    metadata = browser.get("/accounts/saml/acme/metadata/").text
    assert f'Location="{live_server.url}/accounts/saml/acme/acs/"' in metadata


def test_a_tampered_assertion_is_refused(acme_saml, live_server):
    organization, owner, _idp = acme_saml  # owner@acme.test is the organization's owner
    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    assert xml.count("eve@acme.test") == 1
    form["SAMLResponse"] = base64.b64encode(xml.replace("eve@acme.test", owner.email).encode()).decode()
    response = browser.post_assertion(action, form)
    assert "/o/acme/" not in response.url
    assert not browser.is_signed_in_to(organization)
    assert not User.objects.filter(email="eve@acme.test").exists()
    from allauth.socialaccount.models import SocialAccount

    assert not SocialAccount.objects.exists()

    # The untouched assertion from the same IdP still works: it was the change that was refused.
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    browser.post_assertion(action, form)
    assert browser.is_signed_in_to(organization)


def test_an_assertion_for_an_unverified_domain_is_refused(acme_saml, live_server):
    organization, _owner, _idp = acme_saml
    browser = SamlBrowser(live_server.url)
    # Acme's own IdP vouches for an address outside Acme's verified domains.
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "zed@gmail.test", "idp-Pass-2")
    response = browser.post_assertion(action, form)
    assert response.status_code == 403
    assert "zed@gmail.test is not at one of Acme" in html.unescape(response.text)
    assert not User.objects.filter(email="zed@gmail.test").exists()
    assert not browser.is_signed_in_to(organization)
    with tenant_context(organization):
        refusal = AuditLogEntry.objects.get(action="sso.login_refused")
    assert refusal.data == {"email": "zed@gmail.test", "reason": "domain_not_verified"}


def test_another_organizations_sso_never_signs_anyone_into_ours(make_org, add_member, sso_org, saml_idp_factory,
                                                                 live_server):
    from organizations.models import EmailDomain

    # Acme verified acme.test and has members there (password sign-in, no SSO of its own).
    acme, _acme_owner = make_org("Acme")
    EmailDomain.objects.dangerously_unscoped().create(organization=acme, domain="acme.test", token="t",
                                                      verified_at="2026-01-01T00:00:00Z")
    ann = add_member(acme, "admin", email="ann@acme.test")
    # Beta's admin runs Beta's IdP and makes it vouch for Acme's admin (metadata pasted as XML).
    users = [{"email": "ann@acme.test", "password": "evil-1", "name": "Not Ann"},
             {"email": "bob@beta.test", "password": "bob-Pass-1", "name": "Bob Berg"}]
    idp = saml_idp_factory(sp_metadata_urls=[f"{live_server.url}/accounts/saml/beta/metadata/"], users=users)
    metadata_xml = requests.get(f"{idp.base_url}/metadata", timeout=10).text
    beta, _beta_owner, _connection = sso_org("Beta", "beta.test", kind="saml", metadata_xml=metadata_xml,
                                             default_role="admin")

    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("bob@beta.test"), "ann@acme.test", "evil-1")
    response = browser.post_assertion(action, form)
    assert response.status_code == 403
    assert not browser.is_signed_in_to(acme)
    assert not browser.is_signed_in_to(beta)
    assert not Membership.objects.dangerously_unscoped().filter(user=ann, organization=beta).exists()

    # Beta's own people join Beta, and only Beta.
    action, form = browser.assertion_form(browser.idp_login_page("bob@beta.test"), "bob@beta.test", "bob-Pass-1")
    browser.post_assertion(action, form)
    bob = User.objects.get(email="bob@beta.test")
    assert list(Membership.objects.dangerously_unscoped().filter(user=bob).values_list("organization__slug", "role")) \
        == [("beta", "admin")]
    assert browser.is_signed_in_to(beta)
    assert browser.get("/o/acme/", allow_redirects=False).status_code == 404


def test_an_invited_person_joins_with_the_invitations_role_at_their_first_sign_in(acme_saml, live_server):
    from organizations.models import MemberInvitation
    from organizations.services import member_invite

    organization, owner, _idp = acme_saml
    with tenant_context(organization):
        member_invite(organization=organization, email="eve@acme.test", role="manager", by=owner)
    browser = SamlBrowser(live_server.url)
    action, form = browser.assertion_form(browser.idp_login_page("eve@acme.test"), "eve@acme.test", "idp-Pass-1")
    browser.post_assertion(action, form)
    eve = User.objects.get(email="eve@acme.test")
    with tenant_context(organization):
        assert Membership.objects.get(user=eve).role == "manager"  # not the connection's default (viewer)
        assert MemberInvitation.objects.get(email="eve@acme.test").accepted_at is not None
