"""The REST API as an integrator uses it: keys, scopes, tenancy, errors, idempotency, limits."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from nps_platform.tenancy import tenant_context
from organizations.services import api_key_create
from tests.distribution.conftest import campaign_for, published_survey  # noqa: F401

pytestmark = pytest.mark.django_db


def api_for(organization, owner, scope="read_write"):
    with tenant_context(organization):
        raw, _key = api_key_create(organization=organization, name="test", scope=scope, by=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_an_admin_creates_a_key_in_the_browser_and_it_is_shown_once(org_a, member_client):
    organization, owner = org_a
    client = member_client(owner)
    page = client.post(f"/o/{organization.slug}/api-keys/", {"name": "CRM", "scope": "read"}).content.decode()
    assert "Copy it now" in page
    import re

    raw = re.search(r'<code class="fs-6">([^<]+)</code>', page).group(1)
    listing = client.get(f"/o/{organization.slug}/api-keys/").content.decode()
    assert raw not in listing and raw[-6:] in listing
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/contacts/").status_code == 200
    assert "last used" in client.get(f"/o/{organization.slug}/api-keys/").content.decode()


def test_a_revoked_or_unknown_key_is_refused_as_problem_details(org_a, member_client):
    organization, owner = org_a
    api = api_for(organization, owner)
    from organizations.models import ApiKey

    with tenant_context(organization):
        key = ApiKey.objects.get()
    member_client(owner).post(f"/o/{organization.slug}/api-keys/{key.pk}/revoke/")
    response = api.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Unknown or revoked API key."
    assert APIClient().get("/api/v1/contacts/").status_code in (401, 403)


def test_contacts_create_list_bulk_and_delete(org_a):
    organization, owner = org_a
    api = api_for(organization, owner)
    created = api.post("/api/v1/contacts/", {"email": "Ny@Kunde.dk", "name": "Ny", "language": "da"}, format="json")
    assert created.status_code == 201 and created.json()["email"] == "ny@kunde.dk"
    again = api.post("/api/v1/contacts/", {"email": "ny@kunde.dk", "name": "Ny Kunde"}, format="json")
    assert again.status_code == 200 and again.json()["name"] == "Ny Kunde"  # upsert by email
    bulk = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": f"c{i}@x.dk"} for i in range(5)]},
                    format="json")
    assert bulk.json() == {"created": 5, "updated": 0}
    page = api.get("/api/v1/contacts/?page_size=4").json()
    assert len(page["results"]) == 4 and page["next"]
    rest = api.get(page["next"]).json()
    assert len(rest["results"]) == 2
    contact_id = created.json()["id"]
    assert api.delete(f"/api/v1/contacts/{contact_id}/").status_code == 204
    with tenant_context(organization):
        assert Contact.objects.count() == 5


def test_field_errors_come_as_problem_details(org_a):
    organization, owner = org_a
    response = api_for(organization, owner).post("/api/v1/contacts/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and "email" in body["errors"]
    too_many = api_for(organization, owner).post(
        "/api/v1/contacts/bulk/", {"contacts": [{"email": f"c{i}@x.dk"} for i in range(1001)]}, format="json")
    assert too_many.status_code == 400 and "1 000" in str(too_many.json()["errors"])


def test_a_read_key_cannot_write(org_a):
    organization, owner = org_a
    api = api_for(organization, owner, scope="read")
    assert api.get("/api/v1/contacts/").status_code == 200
    response = api.post("/api/v1/contacts/", {"email": "x@x.dk"}, format="json")
    assert response.status_code == 403
    with tenant_context(organization):
        assert not Contact.objects.exists()


def test_a_retried_post_with_the_same_idempotency_key_changes_nothing(org_a):
    organization, owner = org_a
    api = api_for(organization, owner)
    first = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": "a@x.dk"}]}, format="json",
                     HTTP_IDEMPOTENCY_KEY="abc-1")
    second = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": "a@x.dk"}]}, format="json",
                      HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.json() == second.json() == {"created": 1, "updated": 0}
    assert second["Idempotent-Replay"] == "true"


def test_a_reused_idempotency_key_with_another_body_answers_422_and_changes_nothing(org_a):
    from organizations.models import AuditLogEntry, IdempotencyKey

    organization, owner = org_a
    api = api_for(organization, owner)
    first = api.post("/api/v1/contacts/", {"email": "a@x.dk", "name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k-7")
    other_body = api.post("/api/v1/contacts/", {"email": "b@x.dk"}, format="json", HTTP_IDEMPOTENCY_KEY="k-7")
    other_path = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": "a@x.dk", "name": "A"}]}, format="json",
                          HTTP_IDEMPOTENCY_KEY="k-7")
    # The same JSON written differently is the same request.
    same = api.post("/api/v1/contacts/", '{"name":"A",  "email":"a@x.dk"}', content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="k-7")

    assert first.status_code == 201
    for refused in (other_body, other_path):
        assert refused.status_code == 422
        assert refused["Content-Type"].startswith("application/problem+json")
        assert "different request" in refused.json()["detail"]
    assert same.status_code == 201 and same["Idempotent-Replay"] == "true" and same.json() == first.json()
    with tenant_context(organization):
        assert list(Contact.objects.values_list("email", flat=True)) == ["a@x.dk"]
        assert AuditLogEntry.objects.filter(action__startswith="contact.").count() == 1
        row = IdempotencyKey.objects.get()
        assert (row.key, row.status_code, row.response_data["email"]) == ("k-7", 201, "a@x.dk")
    # Keys are per API key: another key may use the same one.
    assert api_for(organization, owner).post("/api/v1/contacts/", {"email": "b@x.dk"}, format="json",
                                             HTTP_IDEMPOTENCY_KEY="k-7").status_code == 201


def test_an_idempotency_key_in_progress_answers_409_and_a_failed_call_frees_its_key(org_a):
    from organizations.models import ApiKey, IdempotencyKey

    organization, owner = org_a
    api = api_for(organization, owner)
    bulk = {"contacts": [{"email": "a@x.dk"}]}
    with tenant_context(organization):
        key = ApiKey.objects.get()
        # Another call holds the key (its row has no answer yet).
        probe = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": "probe@x.dk"}]}, format="json",
                         HTTP_IDEMPOTENCY_KEY="probe")
        held = IdempotencyKey.objects.get(key="probe")
        assert held.request_hash == _hash_of({"contacts": [{"email": "probe@x.dk"}]})
        IdempotencyKey.objects.create(organization=organization, owner=f"key-{key.pk}", key="busy",
                                      request_hash=_hash_of(bulk))
    assert probe.status_code == 200
    busy = api.post("/api/v1/contacts/bulk/", bulk, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert busy.status_code == 409 and "in progress" in busy.json()["detail"] and busy["Retry-After"] == "1"

    invalid = api.post("/api/v1/contacts/", {"email": "not-an-email"}, format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert invalid.status_code == 400
    fixed = api.post("/api/v1/contacts/", {"email": "ok@x.dk"}, format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert fixed.status_code == 201  # the refused call did not keep the key


def _hash_of(body: dict) -> str:
    import hashlib
    import json

    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"POST /api/v1/contacts/bulk/\n{text}".encode()).hexdigest()


def test_rate_limit_answers_429_with_retry_after(org_a, settings):
    from rest_framework.throttling import SimpleRateThrottle

    organization, owner = org_a
    api = api_for(organization, owner)
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "api_key": "3/min"}
    try:
        statuses = [api.get("/api/v1/surveys/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = api.get("/api/v1/surveys/")
        assert int(limited["Retry-After"]) > 0
        assert limited["Content-Type"].startswith("application/problem+json")
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_a_key_never_reaches_another_organization(org_a, org_b):
    (a, owner_a), (b, _owner_b) = org_a, org_b
    with tenant_context(b):
        theirs = Contact.objects.create(organization=b, email="secret@b.dk")
    api = api_for(a, owner_a)
    assert api.get(f"/api/v1/contacts/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/contacts/{theirs.pk}/").status_code == 404
    assert all(c["email"] != "secret@b.dk" for c in api.get("/api/v1/contacts/").json()["results"])
    with tenant_context(b):
        assert Contact.objects.filter(pk=theirs.pk).exists()


def test_the_browser_session_names_its_organization(org_a, org_b):
    (a, owner_a), (b, _owner_b) = org_a, org_b
    client = APIClient()
    client.force_login(owner_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/surveys/", HTTP_X_ORGANIZATION=a.slug).status_code == 200
    assert client.get("/api/v1/surveys/", HTTP_X_ORGANIZATION=b.slug).status_code == 404


def test_stats_match_the_dashboard_and_triggers_schedule_a_survey(org_a, published_survey, campaign_for,  # noqa: F811
                                                                  django_capture_on_commit_callbacks):
    from responses.services import Submission, response_record_public
    from surveys.presentation import category_for_score, survey_shown

    organization, owner = org_a
    survey = published_survey(organization, owner)
    with tenant_context(organization), django_capture_on_commit_callbacks(execute=True):
        for score in [10] * 7 + [8] * 2 + [3]:
            shown = survey_shown(definition=survey.current_version.definition, language="en",
                                 category=category_for_score(score))
            response_record_public(survey=survey, version=survey.current_version, shown=shown, channel="link",
                                   submission=Submission(score=score))
    api = api_for(organization, owner)
    summary = api.get("/api/v1/stats/summary/").json()
    assert (summary["nps"], summary["n"], summary["low_sample"]) == (60, 10, True)
    breakdown = api.get("/api/v1/stats/breakdown/?dimension=channel").json()
    assert breakdown == [{"value": "link", "label": "link", **{k: summary[k] for k in (
        "nps", "n", "promoters", "passives", "detractors", "margin", "low_sample")}}]
    assert api.get("/api/v1/stats/breakdown/?dimension=shoe-size").status_code == 400
    assert api.get("/api/v1/stats/trend/").json()[-1]["n"] == 10

    campaign = campaign_for(organization, owner, survey, schedule="triggered", trigger_delay_days=7)
    triggered = api.post("/api/v1/triggers/", {"campaign": campaign.pk, "email": "kunde@x.dk", "name": "Kunde"},
                         format="json")
    assert triggered.status_code == 201 and triggered.json()["scheduled"] is True
    again = api.post("/api/v1/triggers/", {"campaign": campaign.pk, "email": "kunde@x.dk"}, format="json")
    assert again.status_code == 200 and again.json()["scheduled"] is False


def test_the_schema_and_docs_are_served_by_us(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/contacts/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_erasing_a_contact_removes_personal_data_but_keeps_the_scores(org_a, member_client, published_survey,  # noqa: F811
                                                                      campaign_for, smtp_sink,  # noqa: F811
                                                                      django_capture_on_commit_callbacks):
    from dashboards.models import Rollup
    from distribution.models import Invitation
    from distribution.services import distribution_tick
    from organizations.models import AuditLogEntry
    from responses.models import Response
    from tests.distribution.conftest import links_in, path_of

    organization, owner = org_a
    survey = published_survey(organization, owner)
    from contacts.services import contact_save

    with tenant_context(organization):
        contact = contact_save(contact=Contact(organization=organization, email="anna@kunde.dk", name="Anna",
                                               language="da"), by=owner)
    campaign_for(organization, owner, survey)
    distribution_tick()
    link = links_in(smtp_sink.wait_for(1)[0], smtp_sink)[0]
    with django_capture_on_commit_callbacks(execute=True):
        member_client(owner).post(path_of(link).split("?")[0], {"score": "4", "q-reason": "Anna here: slow service"})
    api = api_for(organization, owner)
    exported = api.get(f"/api/v1/contacts/{contact.pk}/personal-data/").json()
    assert exported["contact"]["email"] == "anna@kunde.dk"
    assert exported["responses"][0]["comment"] == "Anna here: slow service"

    with django_capture_on_commit_callbacks(execute=True):
        erased = api.delete(f"/api/v1/contacts/{contact.pk}/personal-data/")
    assert erased.status_code == 200 and erased.json() == {"responses": 1, "invitations": 1}
    with tenant_context(organization):
        assert not Contact.objects.exists()
        response = Response.objects.get()
        assert (response.score, response.comment, response.answers, response.contact) == (4, "", {}, None)
        assert "anna" not in Invitation.objects.get().email
        rollup = Rollup.objects.get(key="all")
        assert (rollup.c4, rollup.comments) == (1, 0)  # the score stays; the comment is gone
        actions = set(AuditLogEntry.objects.values_list("action", flat=True))
        assert {"contact.exported", "contact.erased"} <= actions
        assert "anna" not in " ".join(AuditLogEntry.objects.values_list("summary", flat=True)).lower()


def test_a_read_key_cannot_erase(org_a):
    organization, owner = org_a
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="x@x.dk")
    assert api_for(organization, owner, scope="read").delete(
        f"/api/v1/contacts/{contact.pk}/personal-data/").status_code == 403


def test_campaigns_cases_and_webhooks_through_the_api(org_a, org_b, published_survey, settings,  # noqa: F811
                                                      django_capture_on_commit_callbacks):
    from followups.models import Case
    from followups.services import response_follow_up, rules_ensure_defaults
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown

    organization, owner = org_a
    survey = published_survey(organization, owner)
    api = api_for(organization, owner)
    created = api.post("/api/v1/campaigns/", {"name": "API campaign", "survey": survey.pk, "start": True},
                       format="json")
    assert created.status_code == 201 and created.json()["status"] == "scheduled"
    assert [c["name"] for c in api.get("/api/v1/campaigns/").json()["results"]] == ["API campaign"]
    other_survey = published_survey(*org_b)
    refused = api.post("/api/v1/campaigns/", {"name": "x", "survey": other_survey.pk}, format="json")
    assert refused.status_code == 400  # another organization's survey is not ours to send

    with tenant_context(organization):
        rules_ensure_defaults(organization=organization)
        shown = survey_shown(definition=survey.current_version.definition, language="en", category="detractor")
        response, _ = response_record_public(survey=survey, version=survey.current_version, shown=shown,
                                             channel="link", submission=Submission(score=2))
        response_follow_up(response=response)
        case = Case.objects.get()
    assert [c["id"] for c in api.get("/api/v1/cases/").json()["results"]] == [case.pk]
    no_reason = api.patch(f"/api/v1/cases/{case.pk}/", {"status": "resolved"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    resolved = api.patch(f"/api/v1/cases/{case.pk}/", {"status": "resolved", "reason": "fixed", "note": "Called"},
                         format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"

    private = api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["case.updated"]},
                       format="json")
    assert private.status_code == 400 and "private" in str(private.json()["errors"]["url"])
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hook = api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["case.updated"]},
                    format="json").json()
    assert len(hook["secret"]) >= 32
    assert "secret" not in api.get("/api/v1/webhooks/").json()[0]
    test = api.post(f"/api/v1/webhooks/{hook['id']}/test/").json()
    assert test["delivered"] is False and test["error"]  # nothing listens on port 9
    assert api.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 204
    other = api_for(*org_b)
    assert other.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert other.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed", "reason": "fixed"},
                       format="json").status_code == 404
