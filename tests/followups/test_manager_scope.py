"""A manager works the cases of their departments (and teams inside them) and the cases they
own — in the inbox, on a case's page and through the API with their browser session; another
department's case is a 404 to them, as another organization's is to anyone. Admins see all."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from nps_platform.tenancy import tenant_context
from organizations.models import Department

from .conftest import cases_of, default_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(tree, answer):
    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    with tenant_context(organization):
        support = Department.objects.create(organization=organization, name="Support")
    answer(organization, survey, 2, "North was slow", department=tree["north"])
    answer(organization, survey, 1, "Support never called", department=support)
    by_department = {c.department_id: c for c in cases_of(organization)}
    return tree, by_department[tree["north"].pk], by_department[support.pk]


def test_a_manager_sees_and_works_only_their_departments_cases(two_cases, member_client, org_b):
    tree, north_case, support_case = two_cases
    slug = tree["organization"].slug
    manager = member_client(tree["sales_manager"])  # Sales contains the North team
    inbox = manager.get(f"/o/{slug}/followup/cases/?view=open").content.decode()
    assert "North was slow" in inbox and "Support never called" not in inbox
    assert manager.get(f"/o/{slug}/followup/cases/{north_case.pk}/").status_code == 200
    assert manager.get(f"/o/{slug}/followup/cases/{support_case.pk}/").status_code == 404
    assert manager.post(f"/o/{slug}/followup/cases/{support_case.pk}/reply/", {"text": "Hej"}).status_code == 404
    api = APIClient()
    api.force_login(tree["sales_manager"], backend="django.contrib.auth.backends.ModelBackend")
    listed = api.get("/api/v1/cases/", HTTP_X_ORGANIZATION=slug).json()["results"]
    assert [c["id"] for c in listed] == [north_case.pk]
    assert api.get(f"/api/v1/cases/{support_case.pk}/", HTTP_X_ORGANIZATION=slug).status_code == 404
    answers = api.get("/api/v1/responses/", HTTP_X_ORGANIZATION=slug).json()["results"]
    assert [r["comment"] for r in answers] == ["North was slow"]

    # Once the support case is handed to them, it is theirs to work.
    with tenant_context(tree["organization"]):
        support_case.owner = tree["sales_manager"]
        support_case.save(update_fields=["owner"])
    assert manager.get(f"/o/{slug}/followup/cases/{support_case.pk}/").status_code == 200

    admin = member_client(tree["admin"])
    inbox = admin.get(f"/o/{slug}/followup/cases/?view=open").content.decode()
    assert "North was slow" in inbox and "Support never called" in inbox

    # Another organization's owner: both are 404.
    other_org, other_owner = org_b
    other = member_client(other_owner)
    assert other.get(f"/o/{other_org.slug}/followup/cases/{north_case.pk}/").status_code == 404
    assert other.get(f"/o/{slug}/followup/cases/{north_case.pk}/").status_code == 404
