"""A hostile look at single sign-on: an address squatted with a password before its owner's
first company sign-in, and a password account made for an address whose organization requires
single sign-on (the real SAML IdP on 127.0.0.1 and the real sign-up form)."""

from __future__ import annotations

import html

import pytest
import requests
from django.test import Client

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


def _oidc_sign_in(base_url: str, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Our company sign-in page → the IdP's login form → back to our callback, as a browser would."""
    session = requests.Session()
    session.get(f"{base_url}/accounts/sso/", timeout=20)
    at_idp = session.post(f"{base_url}/accounts/sso/", timeout=20,
                          data={"csrfmiddlewaretoken": session.cookies.get("csrftoken"), "email": email})
    assert "/interaction/" in at_idp.url, at_idp.text[:2000]
    back = session.post(at_idp.url, data={"email": email, "password": password}, timeout=20)
    return session, back


def test_an_address_the_oidc_provider_has_not_verified_signs_nobody_in(sso_org, oidc_provider_factory, live_server,
                                                                        make_org):
    slug = "acme-oidc"
    callback = f"{live_server.url}/accounts/oidc/oidc-{slug}/login/callback/"
    idp = oidc_provider_factory(
        clients=[{"client_id": "nps", "client_secret": "idp-secret-1", "redirect_uris": [callback]}],
        users=[{"email": "boss@acme.test", "password": "self-Made-1", "name": "Not The Boss", "email_verified": False},
               {"email": "ann@acme.test", "password": "ann-Pass-1", "name": "Ann"}])
    organization, _owner, _connection = sso_org("Acme OIDC", "acme.test", kind="oidc", issuer=idp.base_url,
                                                client_id="nps", client_secret="idp-secret-1")
    boss = User.objects.create_user(email="boss@acme.test", password=None)
    with tenant_context(organization):
        Membership.objects.create(organization=organization, user=boss, role="admin")

    # Someone who registered boss@acme.test at the IdP without proving the mailbox.
    session, back = _oidc_sign_in(live_server.url, "boss@acme.test", "self-Made-1")
    assert back.status_code == 403 and "not verified" in back.text, back.text[:2000]
    assert session.get(f"{live_server.url}/o/{slug}/", allow_redirects=False, timeout=20).status_code != 200

    # A verified address still signs in.
    session, back = _oidc_sign_in(live_server.url, "ann@acme.test", "ann-Pass-1")
    assert back.url.startswith(f"{live_server.url}/o/{slug}/dashboard/"), back.text[:2000]


class _Redirector:
    """An HTTP server on 127.0.0.1 answering every request with a redirect to `target`."""

    def __init__(self, target: str):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/metadata"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_saml_metadata_behind_a_redirect_is_not_fetched(acme_saml, live_server, client):  # noqa: F811
    """The address check runs on the URL the admin gave; a redirect (to an internal address, say)
    would skip it, at saving and at each sign-in alike."""
    from organizations.sso import services

    organization, owner, idp = acme_saml
    redirector = _Redirector(f"{idp.base_url}/metadata")
    try:
        connection = SsoConnection.objects.dangerously_unscoped().get(key="acme")
        connection.metadata_url = redirector.url
        with pytest.raises(services.SsoError):
            with tenant_context(organization):
                services.sso_connection_save(connection=connection, by=owner, changed=["metadata_url"])
        # Saved before the IdP started redirecting: the sign-in does not follow it either.
        SsoConnection.objects.dangerously_unscoped().filter(key="acme").update(metadata_url=redirector.url)
        response = client.post("/accounts/sso/", {"email": "eve@acme.test"})
        assert response.status_code == 200
        assert "cannot be reached just now" in response.content.decode()
    finally:
        redirector.stop()


def test_an_admin_cannot_verify_or_remove_another_organizations_domain(org_a, org_b, member_client):
    from organizations.models import AuditLogEntry, EmailDomain

    (alpha, alpha_owner), (beta, _beta_owner) = org_a, org_b
    theirs = EmailDomain.objects.dangerously_unscoped().create(organization=beta, domain="beta.test", token="t",
                                                               verified_at="2026-01-01T00:00:00Z")
    client = member_client(alpha_owner)
    for action in ("remove_domain", "verify_domain"):
        response = client.post(f"/o/{alpha.slug}/settings/sso/", {"action": action, "domain_id": theirs.pk})
        assert response.status_code == 404
    for junk in ("", "abc", "9" * 30, "-1"):
        assert client.post(f"/o/{alpha.slug}/settings/sso/",
                           {"action": "remove_domain", "domain_id": junk}).status_code == 404
    assert EmailDomain.objects.dangerously_unscoped().filter(pk=theirs.pk, organization=beta).exists()
    # Alpha may list beta.test too (a claim of its own), but not verify it while Beta holds it.
    client.post(f"/o/{alpha.slug}/settings/sso/", {"action": "add_domain", "domain": "BETA.test."})
    claim = EmailDomain.objects.dangerously_unscoped().get(organization=alpha)
    assert claim.domain == "beta.test" and not claim.is_verified
    page = client.post(f"/o/{alpha.slug}/settings/sso/", {"action": "verify_domain", "domain_id": claim.pk},
                       follow=True)
    assert "Another organization has verified beta.test" in page.content.decode()
    with tenant_context(beta):
        assert not AuditLogEntry.objects.filter(action__startswith="sso.").exists()


def test_sign_in_urls_with_forged_state_or_junk_end_in_a_message_not_an_error(acme_saml, live_server, client):  # noqa: F811
    for outside in ("https://evil.test/", "//evil.test/x", "/\\evil.test", "https:evil.test"):
        page = client.get("/accounts/sso/", {"next": outside}).content.decode()
        assert f'name="next" value="{html.escape(outside)}' not in page, outside  # not carried to the IdP and back
    assert 'name="next" value="/o/acme/campaigns/"' in client.get("/accounts/sso/?next=/o/acme/campaigns/")\
        .content.decode()
    forged = [
        ("post", "/accounts/saml/acme/acs/", {"SAMLResponse": "bm90IGEgcmVzcG9uc2U=", "RelayState": "forged"}),
        ("post", "/accounts/saml/acme/acs/", {"SAMLResponse": "%%%", "RelayState": "https://evil.test/"}),
        ("post", "/accounts/saml/acme/acs/", {}),
        ("get", "/accounts/saml/acme/acs/", {}),
        ("post", "/accounts/saml/nobody/acs/", {"SAMLResponse": "eA=="}),
        ("get", "/accounts/oidc/oidc-acme/login/callback/", {"state": "forged", "code": "x"}),
        ("get", "/accounts/oidc/oidc-nobody/login/callback/", {"state": "forged", "code": "x"}),
        ("get", "/accounts/saml/acme/sls/", {"SAMLRequest": "junk"}),
    ]
    browser = Client(HTTP_HOST="localhost")  # a browser always sends Host (allauth's SAML views need it)
    for method, url, data in forged:
        response = getattr(browser, method)(url, data)
        assert response.status_code < 500, (url, data, response.status_code)
        assert "evil.test" not in response.get("Location", ""), (url, data)
        assert browser.session.get("_auth_user_id") is None
