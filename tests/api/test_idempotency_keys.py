"""Idempotency-Keys held in PostgreSQL (nps_platform.api.base.idempotent, issue 15.10): of any
number of concurrent calls with one key, one runs; the others answer 409 "in progress" while it
runs, or repeat its answer after. Threads against a live server, as a retrying client would."""

from __future__ import annotations

import pytest
import requests

from nps_platform.tenancy import tenant_context

from .test_contact_upserts import in_parallel, key_for


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_idempotency_key_run_once(make_org, live_server):
    from contacts.models import Contact
    from organizations.models import AuditLogEntry, IdempotencyKey

    organization, owner = make_org("Retry ApS")
    headers = {"Authorization": f"Bearer {key_for(organization, owner)}", "Idempotency-Key": "order-4711"}
    url = f"{live_server.url}/api/v1/contacts/bulk/"
    body = {"contacts": [{"email": f"p{i}@example.com", "region": "North"} for i in range(200)]}

    answers = in_parallel([lambda: requests.post(url, json=body, headers=headers, timeout=60) for _ in range(8)])

    statuses = [getattr(a, "status_code", repr(a)) for a in answers]
    ran = [a for a in answers if a.status_code == 200 and a.headers.get("Idempotent-Replay") != "true"]
    assert len(ran) == 1, statuses
    assert set(statuses) <= {200, 409}, statuses
    for answer in answers:
        if answer.status_code == 409:
            assert "in progress" in answer.json()["detail"]
        else:
            assert answer.json() == {"created": 200, "updated": 0}
    with tenant_context(organization):
        assert AuditLogEntry.objects.filter(action="contact.upserted").count() == 1  # the work ran once
        assert Contact.objects.count() == 200
        assert IdempotencyKey.objects.get().status_code == 200

    replay = requests.post(url, json=body, headers=headers, timeout=60)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.json() == {"created": 200, "updated": 0}
