"""Reads that tolerate a little lag (the dashboard, its CSV/XLSX exports and PDF report, the
comment explorer, the stats API) go to a streaming replica when `DATABASE_REPLICA_URL` is set; everything else, every
write, and every read by someone who just wrote stays on the primary. No replica: no change.

How a request is routed (`ReplicaReadsMiddleware`): a GET or HEAD to a view named in
`REPLICA_READ_VIEWS` reads from the replica, unless the browser wrote something within the last
`REPLICA_PIN_SECONDS` (a cookie set on every unsafe request: read-your-writes across web
processes and hosts) or the replica did not answer within the last `REPLICA_RETRY_SECONDS`
(then the primary serves, and the replica is tried again later). Sessions, login throttling,
second factors and what decides access (memberships, keys, organizations, users) always stay on
the primary. Work outside a request opts in with `replica_reads()`."""

from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

REPLICA = "replica"
PIN_COOKIE = "nps_pin_primary"
# Rows a person expects to see at once, whatever page reads them.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "usersessions", "contenttypes", "admin",
                               "account", "mfa", "socialaccount"})
# Who may read at all is decided on the primary: a removed member, a revoked key, a deactivated
# organization or a removed second factor must not keep access for as long as the replica lags.
PRIMARY_ONLY_MODELS = frozenset({"organizations.membership", "organizations.apikey", "organizations.organization",
                                 "organizations.user"})
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_down_until = 0.0  # per process: after a failed connection the primary serves until then


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_up() -> bool:
    """The replica accepts a connection (tried at most once per REPLICA_RETRY_SECONDS after a failure)."""
    global _down_until
    if not replica_configured() or time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError:
        _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        connections[REPLICA].close()
        return False
    return True


@contextlib.contextmanager
def replica_reads():
    """Reads inside go to the replica, if one is configured and answering; writes still go to the primary."""
    token = _replica_reads.set(replica_up())
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reading_from_replica() -> bool:
    return _replica_reads.get()


def read_alias(model=None) -> str:
    """The alias a read of `model` uses now (for raw SQL that goes around the ORM)."""
    if _replica_reads.get() and (model is None or (model._meta.app_label not in PRIMARY_ONLY_APPS
                                                   and model._meta.label_lower not in PRIMARY_ONLY_MODELS)):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Installed only with a replica (settings.DATABASE_ROUTERS). Both aliases are one database."""

    def db_for_read(self, model, **hints):
        return read_alias(model)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _view_name(view_func) -> str:
    target = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func
    return f"{target.__module__}.{target.__qualname__}"


class ReplicaReadsMiddleware:
    """Routes lag-tolerant GETs to the replica and pins a browser that just wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = tuple(settings.REPLICA_READ_VIEWS)

    def __call__(self, request):
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _replica_reads.reset(request._replica_token)
                request._replica_token = None
        if request.method in _UNSAFE and replica_configured():
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (request.method in ("GET", "HEAD") and replica_configured() and PIN_COOKIE not in request.COOKIES
                and _view_name(view_func).startswith(self.views) and replica_up()):
            request._replica_token = _replica_reads.set(True)
        return None
