"""The REST API's shared parts: organization-bound key authentication (and the browser's
session, naming the organization), the tenant context for the request, RFC 9457 problem
details, cursor pagination, idempotency keys and per-key rate limits. The endpoints are the
apps' own (`<app>/apis.py`); this kit imports no app: what it needs of `organizations` (who a
key is, a session's membership, where idempotency keys are kept) it takes by the names in
settings `API_KEY_AUTHENTICATE`, `API_MEMBERSHIP_FOR` and `API_IDEMPOTENCY_MODEL`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView, exception_handler

from nps_platform.tenancy import _current_organization

from . import schema  # noqa: F401 - registers the OpenAPI descriptions of these classes


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <organization id>.<secret>`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1:].strip()
        key = import_string(settings.API_KEY_AUTHENTICATE)(raw=raw)  # the key, marked used; or None
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        request.api_key = key
        request.api_organization = key.organization
        return (None, key)

    def authenticate_header(self, request):
        return self.keyword


class OrganizationSessionAuthentication(SessionAuthentication):
    """The browser: a logged-in member names the organization in `X-Organization: <slug>`."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        slug = request.headers.get("X-Organization") or request.query_params.get("organization", "")
        membership = import_string(settings.API_MEMBERSHIP_FOR)(user=result[0], slug=slug) if slug else None
        if membership is None:
            raise exceptions.NotFound("No such organization.")
        request.api_key = None
        request.api_organization = membership.organization
        request.api_membership = membership
        return result


class KeyScope(permissions.BasePermission):
    """Read keys read; writes need a read-write key (or an admin's session)."""

    message = "This API key may only read."

    def has_permission(self, request, view):
        if getattr(request, "api_organization", None) is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        key = getattr(request, "api_key", None)
        if key is not None:
            return key.scope == key.Scope.READ_WRITE
        membership = getattr(request, "api_membership", None)
        return bool(membership and membership.is_admin)


class AdminSession(permissions.BasePermission):
    """What the pages show admins only (personal-data export, webhooks and their secrets): a
    browser session must be an admin's. A key, made by an admin, keeps its scope's rules."""

    message = "Only admins may do this."

    def has_permission(self, request, view):
        membership = getattr(request, "api_membership", None)
        return getattr(request, "api_key", None) is not None or bool(membership and membership.is_admin)


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "api_key", None)
        ident = f"key-{key.pk}" if key else f"user-{getattr(request.user, 'pk', None) or self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Pagination(CursorPagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "-id"


def paginated(serializer_class, name: str):
    """The schema of a cursor-paginated list of `serializer_class`."""
    return inline_serializer(f"Paginated{name}List", {
        "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True)})


def paginated_response(*, queryset, serializer_class, request, view, context: dict | None = None):
    """One page of `queryset` (cursor pagination), each row through `serializer_class`."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


class TenantAPIView(APIView):
    """Runs the view with the key's (or the session's) organization in context; another
    organization's object is simply not found."""

    authentication_classes = [ApiKeyAuthentication, OrganizationSessionAuthentication]
    permission_classes = [KeyScope]
    throttle_classes = [KeyRateThrottle]

    def initial(self, request, *args, **kwargs):
        if any("\x00" in value for values in request.query_params.lists() for value in values[1]):
            raise exceptions.ValidationError({"query": ["NUL characters are not allowed."]})
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(request.data, dict):
            raise exceptions.ValidationError({"body": ["Send a JSON object."]})
        request._api_tenant_token = _current_organization.set(request.api_organization)

    def dispatch(self, request, *args, **kwargs):
        # The context is reset whatever happens: an unhandled exception (a 500) skips
        # finalize_response, and the next request this worker thread serves must start clean.
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            self._tenant_reset(getattr(self, "request", None))

    def finalize_response(self, request, response, *args, **kwargs):
        self._tenant_reset(request)
        return super().finalize_response(request, response, *args, **kwargs)

    @staticmethod
    def _tenant_reset(request) -> None:
        token = getattr(request, "_api_tenant_token", None)
        if token is not None:
            _current_organization.reset(token)
            request._api_tenant_token = None

    @property
    def organization(self):
        return self.request.api_organization


def problem_details(exc, context):
    """Errors as RFC 9457 problem details (application/problem+json), with field errors."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    problem = {"type": "about:blank", "status": response.status_code,
               "title": response.status_text if hasattr(response, "status_text") else ""}
    if isinstance(data, dict) and set(data) == {"detail"}:
        problem["detail"] = str(data["detail"])
    elif isinstance(data, dict):
        problem["detail"] = "The request has invalid fields."
        problem["errors"] = data
    elif isinstance(data, list):
        problem["detail"] = "; ".join(str(d) for d in data)
    response.data = problem
    response.content_type = "application/problem+json"
    if response.status_code == 429 and getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait) + 1)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


IDEMPOTENCY_TTL = 86400  # a key is kept (and its answer repeated) for a day
IDEMPOTENCY_STALE = 600  # a call still "in progress" after this long died; its key may be taken over


class IdempotencyInProgress(exceptions.APIException):
    status_code = 409
    default_detail = "A request with this Idempotency-Key is in progress; retry it in a moment."
    default_code = "idempotency_in_progress"
    retry_after = 1


class IdempotencyMismatch(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was used with a different request; use a new key for a new request."
    default_code = "idempotency_mismatch"


def _idempotency_model():
    """The model that holds the keys: `organization`, `owner`, `key` (unique together),
    `request_hash`, `created_at`, `status_code`, `response_data` (organizations.IdempotencyKey)."""
    return apps.get_model(settings.API_IDEMPOTENCY_MODEL)


def _request_hash(request) -> str:
    from rest_framework.utils.encoders import JSONEncoder

    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _idempotency_claim(*, organization, owner: str, key: str, request_hash: str):
    """(row, True) when this call holds the key now; (the other call's row, False) otherwise.
    The unique constraint (organization, owner, key) lets one of any number of concurrent
    calls insert; a key past its day, or left in progress by a call that died, is taken over."""
    IdempotencyKey = _idempotency_model()

    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(organization=organization, owner=owner, key=key,
                                                     request_hash=request_hash, created_at=now), True
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if existing is None:
            continue  # taken over and removed meanwhile: try again
        expired = existing.created_at < now - dt.timedelta(seconds=IDEMPOTENCY_TTL)
        abandoned = existing.status_code is None and existing.created_at < now - dt.timedelta(seconds=IDEMPOTENCY_STALE)
        if not (expired or abandoned):
            return existing, False
        IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
    raise IdempotencyInProgress()


def idempotent(request, compute):
    """`Idempotency-Key` on a POST (per API key or user): the first call holds the key in
    PostgreSQL while it runs — a concurrent call with the key answers 409 — and its answer is
    kept for a day and repeated (`Idempotent-Replay: true`) for a retry of the same request; the
    key with a different method, path or body answers 422. A call that raises (or answers 5xx)
    frees the key, so it may be retried."""
    from rest_framework.response import Response

    IdempotencyKey = _idempotency_model()

    idem = request.headers.get("Idempotency-Key", "").strip()
    if not idem:
        return compute()
    if len(idem) > 100:
        raise exceptions.ValidationError({"Idempotency-Key": ["At most 100 characters."]})
    owner = getattr(request, "api_key", None)
    owner = f"key-{owner.pk}" if owner else f"user-{request.user.pk}"
    request_hash = _request_hash(request)
    row, held = _idempotency_claim(organization=request.api_organization, owner=owner, key=idem,
                                   request_hash=request_hash)
    if not held:
        if row.request_hash != request_hash:
            raise IdempotencyMismatch()
        if row.status_code is None:
            raise IdempotencyInProgress()
        return Response(row.response_data, status=row.status_code, headers={"Idempotent-Replay": "true"})
    try:
        response = compute()
    except BaseException:
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotencyKey.objects.filter(pk=row.pk).delete()
    else:
        IdempotencyKey.objects.filter(pk=row.pk).update(status_code=response.status_code,
                                                        response_data=response.data)
    # The organization's keys past their day go as new ones come (the created_at index).
    IdempotencyKey.objects.filter(created_at__lt=row.created_at - dt.timedelta(seconds=IDEMPOTENCY_TTL)).delete()
    return response
