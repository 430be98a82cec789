"""What the API writes goes through the owning app's services (issue 18): a triggered survey's
new contact is made by `contacts.services` (safe under parallel calls for one address, recorded
in the audit log, an existing contact left as it is), and a webhook removed through the API is in
the audit log like one created there."""

from __future__ import annotations

import pytest
import requests
from rest_framework.test import APIClient

from contacts.models import Contact
from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry
from organizations.services import api_key_create
from tests.api.test_contact_upserts import in_parallel
from tests.distribution.conftest import campaign_for, published_survey  # noqa: F401


def _key(organization, owner) -> str:
    with tenant_context(organization):
        raw, _key = api_key_create(organization=organization, name="writes", scope="read_write", by=owner)
    return raw


def _audit(organization, action: str) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.dangerously_unscoped().filter(organization=organization, action=action))


@pytest.mark.django_db(transaction=True)
def test_parallel_triggers_for_a_new_address_all_answer_and_make_one_contact(
        make_org, published_survey, campaign_for, live_server):  # noqa: F811
    organization, owner = make_org("Trigger ApS")
    survey = published_survey(organization, owner)
    campaign = campaign_for(organization, owner, survey, schedule="triggered", trigger_delay_days=3)
    headers = {"Authorization": f"Bearer {_key(organization, owner)}"}
    url = f"{live_server.url}/api/v1/triggers/"

    def trigger(i):
        return lambda: requests.post(url, json={"campaign": campaign.pk, "email": "New@Kunde.dk", "name": f"Caller {i}",
                                                "external_id": f"visit-{i}"}, headers=headers, timeout=30)

    answers = in_parallel([trigger(i) for i in range(8)])
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert set(statuses) <= {200, 201}, statuses
    assert statuses.count(201) == 1  # one invitation per contact and campaign
    with tenant_context(organization):
        [contact] = Contact.objects.all()
    assert contact.email == "new@kunde.dk" and contact.name.startswith("Caller ")
    [created] = _audit(organization, "contact.created")
    assert created.target_id == str(contact.pk)


@pytest.mark.django_db
def test_a_trigger_leaves_an_existing_contact_as_it_is_and_records_a_new_one(
        org_a, published_survey, campaign_for):  # noqa: F811
    organization, owner = org_a
    survey = published_survey(organization, owner)
    campaign = campaign_for(organization, owner, survey, schedule="triggered", trigger_delay_days=3)
    with tenant_context(organization):
        known = Contact.objects.create(organization=organization, email="anna@kunde.dk", name="Anna", language="da")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_key(organization, owner)}")

    answer = api.post("/api/v1/triggers/", {"campaign": campaign.pk, "email": "ANNA@kunde.dk", "name": "Someone else",
                                            "language": "sv"}, format="json")
    assert answer.status_code == 201
    known.refresh_from_db()
    assert (known.name, known.language) == ("Anna", "da")
    assert _audit(organization, "contact.created") == []

    answer = api.post("/api/v1/triggers/", {"campaign": campaign.pk, "email": "bo@kunde.se", "name": "Bo",
                                            "language": "sv"}, format="json")
    assert answer.status_code == 201
    with tenant_context(organization):
        new = Contact.objects.get(email="bo@kunde.se")
    assert (new.name, new.language) == ("Bo", "sv")
    assert [entry.target_id for entry in _audit(organization, "contact.created")] == [str(new.pk)]


@pytest.mark.django_db
def test_a_webhook_removed_through_the_api_is_in_the_audit_log(org_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    organization, owner = org_a
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_key(organization, owner)}")
    created = api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["case.updated"]},
                       format="json")
    assert created.status_code == 201
    hook_id = created.json()["id"]
    assert api.delete(f"/api/v1/webhooks/{hook_id}/").status_code == 204
    assert api.get("/api/v1/webhooks/").json() == []
    [removed] = _audit(organization, "webhook.deleted")
    assert (removed.target_id, removed.summary) == (str(hook_id), "http://127.0.0.1:9/hook")
