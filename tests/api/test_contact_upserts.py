"""Contacts written through the API (issue 15.5 and 13): an upsert by email that any number of
concurrent calls for the same address survive (INSERT … ON CONFLICT in contacts.services), every
write recorded in the audit log, and a changed region or product recounting the rollups — the
same service the pages use. Concurrency runs for real: threads against a live server."""

from __future__ import annotations

import random
import threading

import pytest
import requests

from nps_platform.tenancy import tenant_context
from organizations.services import api_key_create


def key_for(organization, owner) -> str:
    with tenant_context(organization):
        raw, _ = api_key_create(organization=organization, name="upserts", scope="read_write", by=owner)
    return raw


def in_parallel(calls) -> list:
    """Runs the callables at once (a barrier lines them up); returns their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # reported as the result
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_upserts_of_one_email_all_answer(make_org, live_server):
    from contacts.models import Contact

    organization, owner = make_org("Upsert ApS")
    headers = {"Authorization": f"Bearer {key_for(organization, owner)}"}
    url = f"{live_server.url}/api/v1/contacts/"

    def post(i):
        return lambda: requests.post(url, json={"email": "Same@Example.com" if i % 2 else "same@example.com",
                                                "name": f"Caller {i}"}, headers=headers, timeout=30)

    answers = in_parallel([post(i) for i in range(20)])
    statuses = sorted(a.status_code if hasattr(a, "status_code") else repr(a) for a in answers)
    assert set(statuses) <= {200, 201}, statuses
    assert statuses.count(201) == 1
    with tenant_context(organization):
        [contact] = Contact.objects.all()
    assert contact.email == "same@example.com" and contact.name.startswith("Caller ")


@pytest.mark.django_db(transaction=True)
def test_six_parallel_bulk_calls_over_the_same_addresses_all_answer(make_org, live_server):
    from contacts.models import Contact

    organization, owner = make_org("Bulk ApS")
    headers = {"Authorization": f"Bearer {key_for(organization, owner)}"}
    url = f"{live_server.url}/api/v1/contacts/bulk/"
    emails = [f"p{i}@example.com" for i in range(60)]

    def bulk(seed):
        mine = random.Random(seed).sample(emails, 40)  # overlapping sets, each in its own order
        return lambda: requests.post(url, json={"contacts": [{"email": e, "region": f"R{seed}"} for e in mine]},
                                     headers=headers, timeout=60)

    answers = in_parallel([bulk(seed) for seed in range(6)])
    assert [getattr(a, "status_code", repr(a)) for a in answers] == [200] * 6
    assert sum(a.json()["created"] for a in answers) == len({e for s in range(6)
                                                             for e in random.Random(s).sample(emails, 40)})
    with tenant_context(organization):
        assert Contact.objects.count() == sum(a.json()["created"] for a in answers)


@pytest.mark.django_db
def test_api_contact_writes_are_audited_and_recount_the_rollups(org_a, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    from contacts.models import Contact
    from dashboards.models import Rollup
    from dashboards.rollups import rollups_rebuild
    from organizations.models import AuditLogEntry
    from responses.models import Response
    from responses.services import Submission, response_record_public
    from surveys import services as survey_services
    from surveys.presentation import survey_shown

    organization, owner = org_a
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(organization, owner)}")
    made = api.post("/api/v1/contacts/", {"email": "K@x.dk", "region": "North"}, format="json")
    assert made.status_code == 201
    with tenant_context(organization):
        contact = Contact.objects.get()
        assert AuditLogEntry.objects.filter(action="contact.created", target_id=str(contact.pk)).exists()
        survey = survey_services.survey_create(organization=organization, template="blank", name="S",
                                               default_language="en", by=owner)
        survey_services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
        shown = survey_shown(definition=survey.current_version.definition, language="en", category="promoter")
        response, _ = response_record_public(survey=survey, version=survey.current_version, shown=shown,
                                             channel="link", submission=Submission(score=10))
        Response.objects.filter(pk=response.pk).update(contact=contact)
        rollups_rebuild(organization=organization)
        assert set(Rollup.objects.filter(key__startswith="region:").values_list("key", flat=True)) == {"region:North"}

    with django_capture_on_commit_callbacks(execute=True):
        moved = api.post("/api/v1/contacts/", {"email": "k@x.dk", "region": "South"}, format="json")
    assert moved.status_code == 200
    with tenant_context(organization):
        assert set(Rollup.objects.filter(key__startswith="region:").values_list("key", flat=True)) == {"region:South"}
        assert AuditLogEntry.objects.filter(action="contact.updated", target_id=str(contact.pk)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        bulk = api.post("/api/v1/contacts/bulk/", {"contacts": [{"email": "k@x.dk", "region": "West"},
                                                                {"email": "new@x.dk"}]}, format="json")
    assert bulk.json() == {"created": 1, "updated": 1}
    with tenant_context(organization):
        assert set(Rollup.objects.filter(key__startswith="region:").values_list("key", flat=True)) == {"region:West"}
        assert AuditLogEntry.objects.filter(action="contact.upserted", summary="1 created, 1 updated").exists()

    assert api.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
    with tenant_context(organization):
        assert AuditLogEntry.objects.filter(action="contact.deleted", target_id=str(contact.pk)).exists()
