"""The tenancy core: the current organization lives in a context variable, and tenant models
are queried through a manager that refuses to run without it. Setting it from a request (the
membership check, the middleware), from a task's `organization_id`, and the role decorators are
`organizations.tenancy`'s: this core imports no app."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Any

from django.db import models

_current_organization: contextvars.ContextVar[models.Model | None] = contextvars.ContextVar(
    "current_organization", default=None
)


class TenantContextMissing(RuntimeError):
    """A tenant model was queried with no organization in context: fail closed."""


def current_organization() -> models.Model:
    organization = _current_organization.get()
    if organization is None:
        raise TenantContextMissing(
            "No organization in context. Wrap the code in tenant_context(organization), or use "
            "Model.objects.dangerously_unscoped() where crossing tenants is intended."
        )
    return organization


def current_organization_or_none() -> models.Model | None:
    return _current_organization.get()


@contextmanager
def tenant_context(organization: models.Model):
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
