"""The tenancy core: the current organization lives in a context variable, tenant models are
queried through a manager that refuses to run without it, and `/o/<slug>/` requests set it
once, after checking the user's membership."""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from organizations.models import Membership, Organization

_current_organization: contextvars.ContextVar[Organization | None] = contextvars.ContextVar(
    "current_organization", default=None
)


class TenantContextMissing(RuntimeError):
    """A tenant model was queried with no organization in context: fail closed."""


def current_organization() -> Organization:
    organization = _current_organization.get()
    if organization is None:
        raise TenantContextMissing(
            "No organization in context. Wrap the code in tenant_context(organization), or use "
            "Model.objects.dangerously_unscoped() where crossing tenants is intended."
        )
    return organization


def current_organization_or_none() -> Organization | None:
    return _current_organization.get()


@contextmanager
def tenant_context(organization: Organization):
    token = _current_organization.set(organization)
    try:
        yield organization
    finally:
        _current_organization.reset(token)


class CurrentOrganizationId(models.Expression):
    """The organization in context, read when the SQL is compiled, not when the queryset is
    built: querysets made at import time (model form fields) are scoped when they run, and a
    query run with no organization in context raises instead of returning every tenant's rows."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection):
        return "%s", [current_organization().pk]

    def __eq__(self, other):
        return isinstance(other, CurrentOrganizationId)

    def __hash__(self):
        return hash(CurrentOrganizationId)


class TenantManager(models.Manager):
    """Scopes every query to the organization in context; raises when there is none."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(organization_id=CurrentOrganizationId())

    def dangerously_unscoped(self) -> models.QuerySet:
        """Every tenant's rows. Only for code that must cross tenants on purpose (membership
        lookup before a tenant is known, periodic sweeps that then set the context per row)."""
        return super().get_queryset()


class TenantModel(models.Model):
    """Base for every tenant-owned table: it carries `organization`, and its default manager
    is scoped. Django's `_base_manager` stays a plain manager, so its internals (FK access,
    cascade deletes, saves) keep working; they only ever follow ids they already hold."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organization_id is None:
            self.organization = current_organization()
        super().save(*args, **kwargs)


def tenant_task(func):
    """Celery task body decorator: the task takes `organization_id` and runs in its context."""

    @functools.wraps(func)
    def wrapper(*args: Any, organization_id: int, **kwargs: Any):
        from organizations.models import Organization

        organization = Organization.objects.get(pk=organization_id)
        with tenant_context(organization):
            return func(*args, organization=organization, **kwargs)

    return wrapper


class TenantMiddleware:
    """For views routed with an `org_slug` kwarg: resolves the organization, checks the user's
    membership once, and runs the view with the organization in context. A slug the user has
    no membership of answers 404, exactly like one that does not exist."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        request._tenant_token = None
        try:
            return self.get_response(request)
        finally:
            if request._tenant_token is not None:
                _current_organization.reset(request._tenant_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        membership = membership_for(user=request.user, slug=slug)
        if membership is None:
            raise Http404("No such organization.")
        request.organization = membership.organization
        request.membership = membership
        request._tenant_token = _current_organization.set(membership.organization)
        return None


def membership_for(*, user, slug: str) -> Membership | None:
    from organizations.models import Membership

    return (
        Membership.objects.dangerously_unscoped()
        .select_related("organization")
        .filter(user=user, organization__slug=slug, organization__is_active=True)
        .first()
    )


class RoleRequired(PermissionDenied):
    """A 403 that knows which roles would have been let in (the 403 page names them)."""

    def __init__(self, roles):
        self.roles = tuple(roles)
        super().__init__("Your role does not allow this.")


def role_required(*roles: str):
    """View decorator for `/o/<slug>/` views: members without one of `roles` get 403 (they
    can see the organization exists; they are in it)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.membership is None or request.membership.role not in roles:
                raise RoleRequired(roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
