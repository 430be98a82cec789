"""The organization in context never outlives its request or task (issue 15.7): an API view that
raises (a 500) and a task that raises leave no organization behind for the next request or task
the same worker thread runs."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.response import Response

from nps_platform.api.base import TenantAPIView
from nps_platform.tenancy import current_organization_or_none, tenant_context
from organizations.tenancy import tenant_task

pytestmark = pytest.mark.django_db


class Boom(TenantAPIView):
    def get(self, request):
        assert current_organization_or_none() == self.organization
        raise RuntimeError("a bug in a view")


class WhoIsInContext(TenantAPIView):
    authentication_classes = []
    permission_classes = []

    def initial(self, request, *args, **kwargs):  # no organization: this view only looks
        request.api_organization = None
        super().initial(request, *args, **kwargs)

    def get(self, request):
        organization = current_organization_or_none()
        return Response({"organization": organization.pk if organization else None})


urlpatterns = [path("api/v1/boom/", Boom.as_view()), path("api/v1/who/", WhoIsInContext.as_view())]


@pytest.mark.urls(__name__)
def test_an_api_500_leaves_no_organization_in_context(org_a, client):
    from organizations.services import api_key_create

    organization, owner = org_a
    with tenant_context(organization):
        raw, _key = api_key_create(organization=organization, name="t", scope="read", by=owner)
    client.raise_request_exception = False
    assert current_organization_or_none() is None
    answer = client.get("/api/v1/boom/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 500
    assert current_organization_or_none() is None
    assert client.get("/api/v1/who/").json() == {"organization": None}


def test_a_task_that_raises_leaves_no_organization_in_context(org_a):
    organization, _owner = org_a

    @tenant_task
    def task(*, organization):
        assert current_organization_or_none() == organization
        raise RuntimeError("a bug in a task")

    with pytest.raises(RuntimeError):
        task(organization_id=organization.pk)
    assert current_organization_or_none() is None
