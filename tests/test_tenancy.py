"""The tenancy core: fail-closed manager, context, and the walk over every /o/<slug>/ URL."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.management import call_command

from nps_platform.tenancy import TenantContextMissing, TenantModel, tenant_context
from organizations.models import Department, Membership, Organization
from tests.url_walk import url_patterns


def test_tenant_manager_refuses_to_query_without_context(org_a):
    with pytest.raises(TenantContextMissing):
        list(Department.objects.all())
    with pytest.raises(TenantContextMissing):
        Department.objects.count()


def test_queryset_built_outside_context_is_scoped_when_run(org_a, org_b):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(a):
        Department.objects.create(name="Sales")
    with tenant_context(b):
        Department.objects.create(name="Support")
    qs = Department.objects.all()  # built with no context, as model forms do at import time
    with tenant_context(a):
        assert [d.name for d in qs.all()] == ["Sales"]
    with tenant_context(b):
        assert [d.name for d in qs.all()] == ["Support"]


def test_save_takes_organization_from_context(org_a):
    a, _ = org_a
    with tenant_context(a):
        department = Department.objects.create(name="Sales")
    assert department.organization_id == a.pk


def test_escape_hatch_sees_every_tenant(org_a, org_b):
    (a, _), (b, _) = org_a, org_b
    assert Membership.objects.dangerously_unscoped().filter(organization__in=[a, b]).count() == 2


def test_every_unique_constraint_includes_organization():
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        for field in model._meta.fields:
            assert not (field.unique and field.name not in ("id",)), f"{model.__name__}.{field.name} is unique alone"
        for constraint in model._meta.constraints:
            if hasattr(constraint, "fields") and (constraint.fields or getattr(constraint, "expressions", None)):
                names = list(constraint.fields) + [str(e) for e in getattr(constraint, "expressions", ())]
                assert any("organization" in n for n in names), f"{model.__name__}.{constraint.name}"


# --- The walk over every organization URL ------------------------------------------------------

def _org_patterns():
    """(name, route with {kwargs}) for every pattern under /o/<org_slug>/."""
    return url_patterns(lambda route: "<slug:org_slug>" in route)


_KWARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _tenant_models_by_kwarg():
    return {f"{m._meta.model_name}_id": m for m in apps.get_models() if issubclass(m, TenantModel)}


def _fill(route: str, *, slug: str, organization: Organization) -> str:
    models = _tenant_models_by_kwarg()

    def replace(match):
        name = match.group("name")
        if name == "org_slug":
            return slug
        model = models.get(name)
        assert model is not None, (
            f"URL kwarg <{name}> in {route} names no tenant model: call it <model>_id so this walk can fill it"
        )
        with tenant_context(organization):
            obj = model.objects.order_by("pk").first()
        assert obj is not None, f"seed_demo made no {model.__name__} for {route}; make it seed one"
        return str(obj.pk)

    return _KWARG.sub(replace, route)


@pytest.fixture
def victim_and_intruder(org_b, member_client, smtp_sink):
    """Organization A seeded with demo data (everything the app has), and the owner of B."""
    call_command("seed_demo", slug="victim", email="victim-owner@example.com", password="x-Secret-123456")
    victim = Organization.objects.get(slug="victim")
    with tenant_context(victim):
        # Objects seed_demo does not make, but some URL names: one of each.
        from organizations.models import User
        from organizations.services import member_invite

        member_invite(organization=victim, email="pending@example.com", role="viewer",
                      by=User.objects.get(email="victim-owner@example.com"))
    intruder_org, intruder = org_b
    return victim, intruder_org, intruder


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_org_url_leaks_to_a_member_of_another_organization(victim_and_intruder, client, method):
    victim, intruder_org, intruder = victim_and_intruder
    patterns = _org_patterns()
    assert len(patterns) >= 10, "the walk found too few organization URLs"
    leaks = []
    client.force_login(intruder, backend="django.contrib.auth.backends.ModelBackend")
    for name, route in patterns:
        # 1. the victim's slug with the victim's objects
        url = _fill(route, slug=victim.slug, organization=victim)
        status = getattr(client, method)(url).status_code
        if status != 404:
            leaks.append(f"{method.upper()} {url} ({name}) answered {status} with the victim's slug")
        # 2. the intruder's own slug with the victim's object ids
        if _KWARG.findall(route) != [("slug", "org_slug")]:
            url = _fill(route, slug=intruder_org.slug, organization=victim)
            status = getattr(client, method)(url).status_code
            # 405 is decided by the method alone, before any object is looked up: it says nothing.
            if status not in (404, 405):
                leaks.append(f"{method.upper()} {url} ({name}) answered {status} with another tenant's ids")
    assert not leaks, "\n".join(leaks)


def test_the_walk_can_see_a_page_when_it_is_allowed(victim_and_intruder, client):
    """The twin of the leak test: the victim's owner does reach every GET page, so a 404 above
    means 'not yours', not 'broken'."""
    from organizations.models import User

    victim, _, _ = victim_and_intruder
    client.force_login(User.objects.get(email="victim-owner@example.com"),
                       backend="django.contrib.auth.backends.ModelBackend")
    for name, route in _org_patterns():
        url = _fill(route, slug=victim.slug, organization=victim)
        status = client.get(url).status_code
        assert status in (200, 302, 405), f"GET {url} ({name}) answered {status} to the owner"


def test_anonymous_visitor_is_sent_to_login(org_a, client):
    a, _ = org_a
    response = client.get(f"/o/{a.slug}/employees/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_organization_is_404(org_a, member_client):
    _, owner = org_a
    assert member_client(owner).get("/o/no-such-org/").status_code == 404
