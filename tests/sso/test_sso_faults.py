"""What goes wrong around SAML sign-in ends in a page, never a server error: an IdP whose
metadata cannot be fetched just now (a closed port), and a SAML message that cannot be read."""

from __future__ import annotations

import pytest
import requests
from django.core.cache import cache

from nps_platform.tenancy import tenant_context
from organizations.models import SsoConnection

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unreachable_idp_gets_a_try_again_page_on_every_saml_url(sso_org, saml_idp_factory, live_server):
    idp = saml_idp_factory(sp_metadata_urls=[f"{live_server.url}/accounts/saml/acme/metadata/"], users=[])
    organization, _owner, _connection = sso_org("Acme", "acme.test", kind="saml", name="Acme IdP",
                                                metadata_url=f"{idp.base_url}/metadata")
    assert requests.get(f"{live_server.url}/accounts/saml/acme/metadata/", timeout=20).status_code == 200
    with tenant_context(organization):
        SsoConnection.objects.update(metadata_url="http://127.0.0.1:9/metadata")  # nothing listens there
    cache.clear()  # the metadata fetched at saving time
    for url in ("/accounts/saml/acme/login/", "/accounts/saml/acme/metadata/"):
        page = requests.get(live_server.url + url, timeout=20)
        assert page.status_code == 503, url
        assert "cannot be reached just now" in page.text, url
    junk = requests.post(f"{live_server.url}/accounts/saml/acme/acs/", {"SAMLResponse": "not base64 at all"},
                         timeout=20)
    assert junk.status_code in (400, 503)
