"""Health check, run modes, security baseline and the local outbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "nps_platform.settings.production",
    "SECRET_KEY": "8f3kQ-zP1x!vLr7@Wm2#Yt9^Nc4%Hb6*Dj0(Gs5)Ua-e1Ri3Oq8Tw",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "ALLOWED_HOSTS": "nps.example.com",
    "SITE_URL": "https://nps.example.com",
}


def run_manage(*args: str, env: dict, timeout: int = 60) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests
    dropped = ("DEBUG", "SECRET_KEY", "SITE_URL", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable():
    # A real server process with a database address where nothing listens.
    code = (
        "import django; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {k: v for k, v in os.environ.items()}
    env.update(DJANGO_SETTINGS_MODULE="nps_platform.settings.test",
               DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere", ALLOWED_HOSTS="testserver")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    status, body = out.stdout.strip().split(" ", 1)
    assert status == "503", out.stderr[-2000:]
    assert json.loads(body)["database"].startswith("error")


def test_deploy_check_is_clean_with_production_settings():
    out = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"SITE_URL": ""}, "SITE_URL must be set"),
    ],
)
def test_production_refuses_to_start_misconfigured(change, message):
    out = run_manage("check", env={**PROD_ENV, **change})
    assert out.returncode != 0
    assert message in out.stderr


def test_pages_carry_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_each_page_keeps_its_own_policy_the_same_as_django_csps(client, db, settings):
    """The policy is built once per distinct set of directives and kept: every page still gets
    exactly the header django-csp would build (a view's own directives included: the public link
    may be framed anywhere, the sign-in page nowhere), and a changed setting is followed."""
    from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from responses.public_views import EMBEDDABLE

    def library_header(view):
        request = RequestFactory().get("/")
        middleware = LibraryCSPMiddleware(view)
        middleware.process_request(request)
        return middleware.process_response(request, view(request))["Content-Security-Policy"]

    def plain(request):
        return HttpResponse("")

    framed = EMBEDDABLE(plain)
    for _ in range(2):  # built, then kept
        login = client.get("/accounts/login/")["Content-Security-Policy"]
        public = client.get("/s/1.nothing-here/")  # a link that finds nothing still has the survey's policy
        assert parse_policy(login) == parse_policy(library_header(plain))
        assert parse_policy(public["Content-Security-Policy"]) == parse_policy(library_header(framed))
    assert "frame-ancestors *" in public["Content-Security-Policy"] and "frame-ancestors 'none'" in login

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://cdn.example"]}}
    changed = client.get("/accounts/login/")["Content-Security-Policy"]
    assert parse_policy(changed) == {"default-src": "'self'", "img-src": "https://cdn.example"}


def parse_policy(header: str) -> dict[str, str]:
    """Directive → sources (django-csp's order of directives is a set's)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_every_page_asset_is_served_by_us(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_outbox_page_lists_and_shows_mail_in_debug_mode(client, settings, tmp_path, db):
    from django.core.mail import get_connection

    from nps_platform.mail import mail_render_and_send

    settings.DEBUG = True
    settings.EMAIL_OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "nps_platform.mail.OutboxEmailBackend"
    assert get_connection().__class__.__name__ == "OutboxEmailBackend"

    class Inv:  # the invitation template's needs, without a database row
        expires_at = None

    mail_render_and_send(to=["someone@example.com"], subject="Join us", template="emails/member_invitation",
                         context={"organization": {"name": "Acme", "brand_color": "#123456"},
                                  "link": "http://127.0.0.1:8000/invite/1.abc/", "invitation": Inv(),
                                  "inviter": None})
    listing = client.get("/dev/outbox/").content.decode()
    assert "Join us" in listing and "someone@example.com" in listing
    message_id = next(tmp_path.glob("*.eml")).stem
    page = client.get(f"/dev/outbox/{message_id}/").content.decode()
    assert '<a href="http://127.0.0.1:8000/invite/1.abc/"' in page  # the link is clickable

    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
