"""The organizations' side of tenancy: `/o/<slug>/` requests check the user's membership once
and run with the organization in context (`TenantMiddleware`), role decorators answer 403 inside
one's own organization (and the 403 page names the roles that would have been let in), and
Celery task bodies run in the context of the `organization_id` they take (`tenant_task`).
The context variable, the fail-closed manager and the model base are `nps_platform.tenancy`'s."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render

from nps_platform.tenancy import _current_organization, tenant_context

from .models import Membership, Organization, Role


def membership_for(*, user, slug: str) -> Membership | None:
    return (
        Membership.objects.dangerously_unscoped()
        .select_related("organization")
        .filter(user=user, organization__slug=slug, organization__is_active=True)
        .first()
    )


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
            return redirect_to_login(request.get_full_path())
        membership = membership_for(user=request.user, slug=slug)
        if membership is None:
            raise Http404("No such organization.")
        request.organization = membership.organization
        request.membership = membership
        request._tenant_token = _current_organization.set(membership.organization)
        return None


def tenant_task(func):
    """Celery task body decorator: the task takes `organization_id` and runs in its context."""

    @functools.wraps(func)
    def wrapper(*args: Any, organization_id: int, **kwargs: Any):
        organization = Organization.objects.get(pk=organization_id)
        with tenant_context(organization):
            return func(*args, organization=organization, **kwargs)

    return wrapper


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


# PermissionDenied messages that name the least role the page asks for (organizations.access).
_ROLE_HINTS = {"admin": ("owner", "admin"), "manager": ("owner", "admin", "manager")}


def _roles_needed(exception) -> tuple[str, ...]:
    if isinstance(exception, RoleRequired):
        return exception.roles
    text = str(exception or "").lower()
    if text in _ROLE_HINTS:
        return _ROLE_HINTS[text]
    if "admin" in text:
        return _ROLE_HINTS["admin"]
    if "viewer" in text or "manager" in text:
        return _ROLE_HINTS["manager"]
    return ()


def permission_denied(request, exception=None):
    """403s inside the site's layout, saying which role the page needs and whom to ask."""
    if request.path.startswith("/api/"):
        return JsonResponse({"type": "about:blank", "title": "Forbidden", "status": 403,
                             "detail": "Your key or role does not allow this."}, status=403,
                            content_type="application/problem+json")
    labels = dict(Role.choices)
    membership = getattr(request, "membership", None)
    context = {
        "roles_needed": [label for role, label in labels.items() if role in _roles_needed(exception)],
        "current_role": labels.get(membership.role) if membership else None,
    }
    return render(request, "403.html", context, status=403)
