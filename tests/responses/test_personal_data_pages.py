"""The contact's personal-data pages in the admin: an admin downloads everything held about a
contact as JSON, or erases it (the answer's score stays, its words and any edit history go);
others may not, and another organization's contact is a 404."""

from __future__ import annotations

import json

import pytest

from contacts.models import Contact
from nps_platform.tenancy import tenant_context
from responses.models import Response, ResponseChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_contact(org_a, published_survey):
    from responses.services import Submission, _update
    from surveys.presentation import survey_shown

    organization, owner = org_a
    survey = published_survey(organization, owner)
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="anna@kunde.dk", name="Anna")
        version = survey.current_version
        shown = survey_shown(definition=version.definition, language="en", category="detractor")
        response = Response.objects.create(organization=organization, survey=survey, version=version,
                                           contact=contact, channel="email", language="en", score=3,
                                           category="detractor", answers={"reason": "Anna: slow"},
                                           comment="Anna: slow")
        _update(response, version=version, shown=shown, submission=Submission(score=4, answers={"reason": "Anna!"}))
    return organization, owner, contact


def test_an_admin_downloads_and_erases_a_contacts_data(answered_contact, member_client):
    organization, owner, contact = answered_contact
    admin = member_client(owner)
    download = admin.get(f"/o/{organization.slug}/responses/personal-data/{contact.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    data = json.loads(download.content)
    assert data["contact"]["email"] == "anna@kunde.dk" and data["responses"][0]["score"] == 4

    erased = admin.post(f"/o/{organization.slug}/responses/personal-data/{contact.pk}/erase/")
    assert erased.status_code == 302
    with tenant_context(organization):
        assert not Contact.objects.exists()
        response = Response.objects.get()
        assert (response.score, response.comment, response.answers, response.contact) == (4, "", {}, None)
        assert list(ResponseChange.objects.values_list("answers", flat=True)) == [{}]  # history loses its words


def test_a_viewer_may_not_and_another_organization_gets_404(answered_contact, org_b, add_member, member_client):
    organization, _owner, contact = answered_contact
    viewer = member_client(add_member(organization, "viewer"))
    assert viewer.get(f"/o/{organization.slug}/responses/personal-data/{contact.pk}/").status_code == 403
    assert viewer.post(f"/o/{organization.slug}/responses/personal-data/{contact.pk}/erase/").status_code == 403
    other_org, other_owner = org_b
    other = member_client(other_owner)
    assert other.get(f"/o/{other_org.slug}/responses/personal-data/{contact.pk}/").status_code == 404
    assert other.post(f"/o/{other_org.slug}/responses/personal-data/{contact.pk}/erase/").status_code == 404
    with tenant_context(organization):
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_erasing_also_clears_the_webhook_log_and_the_uploaded_import_files(answered_contact, member_client):
    from contacts.models import ContactImport
    from followups.models import Webhook, WebhookDelivery
    from followups.services import response_payload
    from tests.contacts.helpers import upload

    organization, owner, contact = answered_contact
    admin = member_client(owner)
    with tenant_context(organization):
        response = Response.objects.get()
        hook = Webhook.objects.create(organization=organization, url="https://hooks.example.com/x",
                                      events=["response.created"], secret="s")
        sent = WebhookDelivery.objects.create(
            organization=organization, webhook=hook, event="response.created",
            event_id=f"response.created:{response.pk}", status="delivered",
            payload={"event": "response.created", "data": response_payload(response)})
        waiting = WebhookDelivery.objects.create(
            organization=organization, webhook=hook, event="response.detractor",
            event_id=f"response.detractor:{response.pk}", status="retry", payload={"data": {"x": "anna@kunde.dk"}})
    assert "anna@kunde.dk" in str(sent.payload)
    upload(admin, organization, "email;name\nanna@kunde.dk;Anna\nbo@kunde.dk;Bo\n", name="theirs.csv")
    upload(admin, organization, "email;name\ncarl@kunde.dk;Carl\n", name="others.csv")

    assert admin.post(f"/o/{organization.slug}/responses/personal-data/{contact.pk}/erase/").status_code == 302
    with tenant_context(organization):
        sent.refresh_from_db()
        waiting.refresh_from_db()
        theirs = ContactImport.objects.get(original_name="theirs.csv")
        others = ContactImport.objects.get(original_name="others.csv")
    assert "anna" not in str(sent.payload).lower() and sent.status == "delivered"
    assert "anna" not in str(waiting.payload).lower() and waiting.status == "failed"  # never goes out now
    assert not theirs.file and theirs.status == ContactImport.Status.FAILED
    with others.file.open("rb") as fh:
        assert b"carl@kunde.dk" in fh.read()  # someone else's file stays


def test_exporting_responses_is_recorded_in_the_audit_log(answered_contact, member_client):
    from organizations.models import AuditLogEntry

    organization, owner, _contact = answered_contact
    admin = member_client(owner)
    assert admin.get(f"/o/{organization.slug}/dashboard/export.csv").status_code == 200
    with tenant_context(organization):
        entry = AuditLogEntry.objects.filter(action="responses.exported").get()
    assert entry.actor == owner and "CSV" in entry.summary
