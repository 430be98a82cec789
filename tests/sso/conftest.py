"""Real identity providers for the single sign-on tests, started on 127.0.0.1 at free ports:
node-oidc-provider (OpenID Connect) and pysaml2's IdP (SAML 2.0). Each runs in a process group
of its own and is ended by that group's id at teardown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

HERE = Path(__file__).resolve().parent
OIDC_SCRIPT = HERE / "oidc_provider.mjs"
SAML_SCRIPT = HERE / "saml_idp.py"


@dataclass
class IdentityProvider:
    base_url: str
    process: subprocess.Popen
    log_path: Path
    users: list[dict] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _wait_until_up(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    _stop(proc)
    pytest.fail(f"The identity provider did not come up at {url}:\n{log_path.read_text(errors='replace')[-3000:]}")


def _start(cmd: list[str], env_name: str, config: dict, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env[env_name] = json.dumps(config)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group, ended by its id


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture
def oidc_provider_factory(tmp_path):
    """start(clients=[{client_id, client_secret, redirect_uris}], users=[{email, password, name}])
    → a running node-oidc-provider; its issuer is `.base_url`."""
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("oidc-provider is not installed: run `npm ci` (make test does it).")
    started: list[subprocess.Popen] = []

    def start(*, clients: list[dict], users: list[dict]) -> IdentityProvider:
        port = free_port()
        log_path = tmp_path / f"oidc-{port}.log"
        proc = _start(["node", str(OIDC_SCRIPT)], "OIDC_CONFIG",
                      {"port": port, "clients": clients, "users": users}, log_path)
        started.append(proc)
        issuer = f"http://127.0.0.1:{port}"
        _wait_until_up(proc, f"{issuer}/.well-known/openid-configuration", log_path)
        return IdentityProvider(base_url=issuer, process=proc, log_path=log_path, users=users)

    yield start
    for proc in started:
        _stop(proc)


@pytest.fixture
def saml_idp_factory(tmp_path):
    """start(sp_metadata_urls=[…], users=[{email, password, name}]) → a running pysaml2 IdP;
    its metadata is at `.base_url + "/metadata"` (also its entity id)."""
    started: list[subprocess.Popen] = []

    def start(*, sp_metadata_urls: list[str], users: list[dict]) -> IdentityProvider:
        port = free_port()
        log_path = tmp_path / f"saml-{port}.log"
        workdir = tmp_path / f"saml-idp-{port}"
        proc = _start([sys.executable, str(SAML_SCRIPT)], "SAML_IDP_CONFIG",
                      {"port": port, "dir": str(workdir), "sp_metadata_urls": sp_metadata_urls, "users": users},
                      log_path)
        started.append(proc)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(proc, f"{base}/metadata", log_path)
        return IdentityProvider(base_url=base, process=proc, log_path=log_path, users=users)

    yield start
    for proc in started:
        _stop(proc)


@pytest.fixture(autouse=True)
def idps_on_loopback(settings):
    """The test IdPs listen on 127.0.0.1, which single sign-on refuses to call otherwise."""
    settings.SSO_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def dns_server(settings):
    """A real DNS server on 127.0.0.1 that the domain verification asks; `.records` holds its TXT
    records (name → strings)."""
    from tests.sso.dns_server import DnsServer

    server = DnsServer().start()
    settings.SSO_DNS_NAMESERVERS = [server.address]
    yield server
    server.stop()


PASSWORD = "pass-Word-123"


@pytest.fixture
def sso_org(make_org):
    """sso_org(organization name, domain, **connection fields) → (organization, owner, connection) with `domain`
    verified (the DNS check itself is tested on the settings page) and an SsoConnection saved
    through the service (which reads the IdP's discovery document or metadata)."""
    from django.utils import timezone

    from nps_platform.tenancy import tenant_context
    from organizations.models import EmailDomain, SsoConnection
    from organizations.sso import services

    def make(org_name: str, domain: str, *, client_secret: str | None = None, verified: bool = True, **fields):
        organization, owner = make_org(org_name, owner_email=f"owner@{domain}")
        with tenant_context(organization):
            EmailDomain.objects.create(organization=organization, domain=domain, token="t0ken",
                                       verified_at=timezone.now() if verified else None)
            connection = SsoConnection(organization=organization, is_enabled=True, **fields)
            services.sso_connection_save(connection=connection, by=owner, changed=list(fields),
                                         client_secret=client_secret)
        return organization, owner, connection

    return make
