"""Through the API with a browser session, a member reads what their pages show them: only
admins read the contacts directory, export a contact's personal data or list the webhooks (whose
URLs are secrets); another organization's contact is a 404 even to an admin; no employee answer
is ever a row."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from nps_platform.tenancy import tenant_context
from tests.distribution.conftest import published_survey  # noqa: F401

pytestmark = pytest.mark.django_db


def session(user, organization) -> APIClient:
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.credentials(HTTP_X_ORGANIZATION=organization.slug)
    return client


def test_only_an_admins_session_reads_personal_data_and_webhooks(org_a, org_b, add_member):
    organization, owner = org_a
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="anna@kunde.dk", name="Anna")
    for role in ("viewer", "manager"):
        member = session(add_member(organization, role), organization)
        assert member.get(f"/api/v1/contacts/{contact.pk}/personal-data/").status_code == 403
        assert member.get("/api/v1/webhooks/").status_code == 403
        assert member.get("/api/v1/contacts/").status_code == 403  # the contacts directory is for admins
        assert member.get(f"/api/v1/contacts/{contact.pk}/").status_code == 403
    admin = session(owner, organization)
    assert admin.get(f"/api/v1/contacts/{contact.pk}/personal-data/").json()["contact"]["email"] == "anna@kunde.dk"
    assert admin.get("/api/v1/webhooks/").status_code == 200
    other_org, other_owner = org_b
    assert session(other_owner, other_org).get(f"/api/v1/contacts/{contact.pk}/personal-data/").status_code == 404


def test_a_managers_session_reads_the_answers_of_their_departments_as_the_page_shows(
        org_a, add_member, published_survey):  # noqa: F811
    from organizations.models import Department, Membership
    from responses.models import Response

    organization, owner = org_a
    survey = published_survey(organization, owner)
    manager = add_member(organization, "manager")
    with tenant_context(organization):
        sales = Department.objects.create(organization=organization, name="Sales")
        north = Department.objects.create(organization=organization, name="North", parent=sales)
        support = Department.objects.create(organization=organization, name="Support")
        Membership.objects.get(user=manager).departments.set([sales])
        for department, comment in ((north, "North was slow"), (support, "Support never called")):
            Response.objects.create(organization=organization, survey=survey, version=survey.current_version,
                                    department=department, channel="link", language="en", score=3,
                                    category="detractor", comment=comment)
        theirs = Response.objects.get(department=support)
    api = session(manager, organization)
    assert [r["comment"] for r in api.get("/api/v1/responses/").json()["results"]] == ["North was slow"]
    assert api.get(f"/api/v1/responses/{theirs.pk}/").status_code == 404
    page = session(manager, organization).get(f"/o/{organization.slug}/responses/").content.decode()
    assert "North was slow" in page and "Support never called" not in page
    admin = session(owner, organization)
    assert len(admin.get("/api/v1/responses/").json()["results"]) == 2


def test_no_employee_answer_is_a_row_through_the_api_even_for_an_admin(org_a, published_survey):  # noqa: F811
    from organizations.models import Organization
    from responses.models import Response

    organization, owner = org_a
    Organization.objects.filter(pk=organization.pk).update(anonymity_threshold=3)
    enps = published_survey(organization, owner, template="employee", name="Pulse")
    with tenant_context(organization):
        answers = [Response.objects.create(organization=organization, survey=enps, version=enps.current_version,
                                           channel="email", language="en", score=2, category="detractor",
                                           comment=f"My manager shouts {i}", answers={"reason": "x"})
                   for i in range(5)]
    api = session(owner, organization)
    assert api.get("/api/v1/responses/").json()["results"] == []
    assert api.get(f"/api/v1/responses/{answers[0].pk}/").status_code == 404
    page = api.get(f"/o/{organization.slug}/responses/").content.decode()
    assert "My manager shouts" not in page and "Employee surveys are anonymous" in page
