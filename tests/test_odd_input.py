"""Odd input never makes a server error (issue 15.4). A property test walks every URL pattern of
ours (as tests/test_tenancy.py does) and every API operation, as an anonymous visitor, as each
role (owner, admin, manager, viewer) and with an API key, and sends generated query strings and
bodies — digits that are not ASCII ("²", "٣"), NUL bytes, dates at the ends of the calendar,
numbers past bigint, JSON that is not an object — and fails on any 5xx. Inputs are derandomized
(the same every run) and bounded: one generated call per route and role, besides the owner's
calls with every parameter at once, so the walk takes about a minute."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nps_platform.tenancy import tenant_context
from nps_platform.tokens import token_from_nonce
from tests.url_walk import url_patterns

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "1²", "\x00", "a\x00b", "0001-01-01", "9999-12-31", "2025-02-30", "-1", "0",
       "99999999999999999999", "9223372036854775808", "1e9", "", " ", "%", "null", "[]", "{}",
       "<script>x</script>", "²,³", "1,2,x", "true", "NaN", "2025-01-01T00:00:00+99:00", "Ⅻ", "🙂"]
MIXED = ["0001-01-01", "9999-12-31", "99999999999999999999", "9223372036854775808", "-1", "٣", "1e9", "[]",
         "2025-02-30"]
PARAMS = ["q", "page", "page_size", "per_page", "survey", "department", "employee", "category", "channel", "language",
          "region", "product", "from", "to", "kind", "every", "view", "segment", "tag", "suppressed", "score",
          "lang", "c", "days", "status", "reason", "owner", "note", "since", "cursor", "format", "compare", "source",
          "dimension", "by", "sort", "id", "next", "action", "name", "email", "role", "url", "events", "text",
          "contact", "contacts", "start", "link_valid_days", "sample_percent", "sample_size", "campaign",
          "event_at", "answers", "query", "hp", "website", "organization", "parent", "interval", "period"]
ODD_TOKENS = ["².x", "%C2%B2.x", "1.", ".x", "99999999999999999999.xxxxxxxxxxxxxxxxxxxxxx",
              "1.xxxxxxxxxxxxxxxxxxxxxxxx", "x", "\x00.x", "٣.abcdefghijklmnopqrstuvwxyz"]
SKIP = ("/admin/", "/anymail/", "/media/", "/dev/", "/static/")
ROLES = ("anonymous", "owner", "admin", "manager", "viewer", "api_key")
_KWARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")

values = st.one_of(st.sampled_from(ODD), st.text(max_size=12))
query_strategy = st.dictionaries(st.sampled_from(PARAMS), values, max_size=5)
json_strategy = st.one_of(
    st.dictionaries(st.sampled_from(PARAMS), st.one_of(values, st.integers(), st.none(), st.booleans(),
                                                       st.lists(values, max_size=3), st.floats()), max_size=6),
    st.lists(values, max_size=3), values, st.integers(), st.none())


def our_patterns() -> list[tuple[str, str]]:
    return url_patterns(lambda route: not route.startswith(SKIP) and "(?P" not in route)


@pytest.fixture
def world(add_member, smtp_sink, settings):
    """The demo organization with every kind of object, a member of each role, real link tokens;
    webhooks and chat posts pointed at a closed local port (no traffic leaves the machine)."""
    from distribution.models import Invitation
    from followups.models import Rule, Webhook
    from organizations.models import Department, Membership, Organization, User
    from organizations.services import api_key_create
    from surveys.models import Survey

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    call_command("seed_demo", slug="fuzz", email="fuzz-owner@example.com", password="x-Secret-123456")
    organization = Organization.objects.get(slug="fuzz")
    people = {"owner": User.objects.get(email="fuzz-owner@example.com")}
    for role in ("admin", "manager", "viewer"):
        people[role] = add_member(organization, role, email=f"fuzz-{role}@example.com")
    with tenant_context(organization):
        Membership.objects.get(user=people["manager"]).departments.set([Department.objects.first()])
        Webhook.objects.update(url="http://127.0.0.1:9/hook")
        Rule.objects.update(slack_webhook_url="", teams_webhook_url="")
        tokens = [token_from_nonce(organization_id=organization.pk, nonce=i.token_nonce)
                  for i in Invitation.objects.order_by("pk")[:3]]
        tokens += [s.public_token for s in Survey.objects.exclude(public_token="")[:2]]
        raw_key, _ = api_key_create(organization=organization, name="fuzz", scope="read_write", by=people["owner"])
    return {"organization": organization, "people": people, "tokens": tokens, "key": raw_key}


def fill(route: str, world: dict, token: str) -> str:
    from django.apps import apps

    from nps_platform.tenancy import TenantModel

    organization = world["organization"]
    models = {f"{m._meta.model_name}_id": m for m in apps.get_models() if issubclass(m, TenantModel)}

    def replace(match):
        name = match.group("name")
        if name == "org_slug":
            return organization.slug
        if name == "organization_id":
            return str(organization.pk)
        if name in models:
            with tenant_context(organization):
                obj = models[name].objects.order_by("pk").first()
            return str(obj.pk) if obj else "1"
        return token.replace("/", "")  # tokens, uidb64, message ids: the generated text

    return _KWARG.sub(replace, route)


def call(client: Client, world: dict, role: str, method: str, url: str, query: dict, body) -> int:
    client.logout()
    headers = {}
    if role == "api_key":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['key']}"
    elif role != "anonymous":
        client.force_login(world["people"][role], backend="django.contrib.auth.backends.ModelBackend")
        headers["HTTP_X_ORGANIZATION"] = world["organization"].slug
    if method == "get":
        return client.get(url, query, **headers).status_code
    target = url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    if url.startswith("/api/"):
        return getattr(client, method)(target, json.dumps(body), content_type="application/json",
                                       **headers).status_code
    data = body if isinstance(body, dict) else {"value": body}
    data = {k: ("" if v is None else v if isinstance(v, str | list) else json.dumps(v)) for k, v in data.items()}
    data = {k: [x for x in v if isinstance(x, str)] if isinstance(v, list) else v for k, v in data.items()}
    return client.post(target, data, **headers).status_code


def test_the_walk_covers_pages_links_and_the_api():
    routes = [route for _name, route in our_patterns()]
    assert len(routes) >= 90
    assert {"/s/<str:token>/", "/r/<str:token>/", "/api/v1/contacts/", "/o/<slug:org_slug>/dashboard/"} <= set(routes)


def test_the_examples_from_the_issue_answer_without_a_server_error(world):
    client = Client(raise_request_exception=False)
    token = world["tokens"][-1]
    checks = [
        ("anonymous", f"/s/{token}/", {"score": "²"}),
        ("anonymous", "/r/%C2%B2.x/", {}),
        ("anonymous", "/r/².x/", {}),
        ("owner", f"/o/{world['organization'].slug}/dashboard/", {"from": "0001-01-01", "to": "9999-12-31"}),
        ("owner", f"/o/{world['organization'].slug}/dashboard/", {"survey": "²", "department": "\x00"}),
        ("owner", f"/o/{world['organization'].slug}/contacts/", {"segment": "²", "tag": "²", "department": "³"}),
        ("owner", f"/o/{world['organization'].slug}/employees/", {"department": "²"}),
        ("api_key", "/api/v1/responses/", {"since": "0001-01-01", "survey": "²"}),
    ]
    for role, url, query in checks:
        assert call(client, world, role, "get", url, query, None) < 500, (role, url, query)
    answer = client.get("/api/v1/contacts/", HTTP_AUTHORIZATION="Bearer ².x")
    assert answer.status_code == 401
    for body in ([1, 2], "text", 3, None):
        answer = client.post("/api/v1/contacts/", json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {world['key']}")
        assert answer.status_code == 400, (body, answer.status_code)
    with tenant_context(world["organization"]):
        from followups.models import Case

        case = Case.objects.first()
    bogus = client.patch(f"/api/v1/cases/{case.pk}/", json.dumps({"status": "resolved", "reason": "x" * 300}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world['key']}")
    assert bogus.status_code == 400


def test_no_url_answers_odd_input_with_a_server_error(world):
    client = Client(raise_request_exception=False)
    failures = []
    for name, route in our_patterns():
        methods = ["get", "post"] if not route.startswith("/api/") else ["get", "post", "patch", "delete"]
        # Every parameter at once with each odd value, as the owner (who reaches every page)…
        mixed = {k: MIXED[i % len(MIXED)] for i, k in enumerate(PARAMS)}  # far dates, past-bigint numbers…
        for odd in (dict.fromkeys(PARAMS, "²"), mixed):
            for method in ("get", "post"):
                url = fill(route, world, world["tokens"][-1] if "<str:token>" in route else "²")
                status = call(client, world, "owner", method, url, odd, odd)
                if status >= 500:
                    failures.append(f"{method.upper()} {url} as owner, every parameter {odd!r} → {status} ({name})")
        # …then generated input as every role.
        for role in ROLES:

            @given(method=st.sampled_from(methods), query=query_strategy, body=json_strategy,
                   token=st.sampled_from(world["tokens"] + ODD_TOKENS), role=st.just(role),
                   route=st.just(route), name=st.just(name))
            @settings(max_examples=1, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(method, query, body, token, role, route, name):
                url = fill(route, world, token)
                status = call(client, world, role, method, url, query, body)
                if status >= 500:
                    failures.append(f"{method.upper()} {url} as {role} with {query!r} / {body!r} → {status} ({name})")

            run()
    assert not failures, "\n".join(failures[:40])


def test_oversized_bodies_and_nul_bytes_get_a_page_in_the_site_layout(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    page = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert page.status_code == 413
    body = page.content.decode()
    assert "Too much data" in body and '<nav' in body  # the site's layout, not a bare error
    api = client.post("/api/v1/contacts/", json.dumps({"email": "a" * 5000}), content_type="application/json")
    assert api.status_code == 413 and api["Content-Type"] == "application/problem+json"
    nul = client.get("/accounts/login/", {"next": "/o/\x00/"})
    assert nul.status_code == 400 and "NUL" in nul.content.decode() and "<nav" in nul.content.decode()
