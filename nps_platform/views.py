"""Platform-level pages: the health check and, in debug mode, the local mail outbox."""

from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.defaults import page_not_found

from .celery import app
from .mail import outbox_list, outbox_read


def _database_state() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure to reach the database is the answer
        return f"error: {exc.__class__.__name__}"


def _broker_state() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


@never_cache
def healthz(request):
    state = {"database": _database_state(), "broker": _broker_state()}
    state["status"] = "ok" if all(v == "ok" for v in state.values()) else "degraded"
    return JsonResponse(state, status=200 if state["database"] == "ok" else 503)


def _debug_only():
    if not settings.DEBUG:
        raise Http404()


def outbox(request):
    _debug_only()
    return render(request, "dev/outbox.html", {"messages_": outbox_list()})


def outbox_message(request, message_id: str):
    _debug_only()
    message = outbox_read(message_id)
    if message is None:
        raise Http404()
    return render(request, "dev/outbox_message.html", {"m": message})


# The HTML part as sent, for the outbox page's sandboxed frame: mail is styled inline, which the
# site's policy forbids (a srcdoc frame inherits it), so this document alone allows inline
# styles, and no script at all.
@xframe_options_sameorigin
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "img-src": [SELF, "data:", "http:", "https:"],
              "script-src": [NONE], "frame-ancestors": [SELF], "form-action": [NONE]})
def outbox_message_html(request, message_id: str):
    _debug_only()
    message = outbox_read(message_id)
    if message is None or not message["html"]:
        raise Http404()
    return HttpResponse(message["html"], content_type="text/html; charset=utf-8")


def not_found(request, exception=None):
    """404s: the API answers a problem document; pages get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"type": "about:blank", "title": "Not Found", "status": 404,
                             "detail": "No such address in the API."}, status=404,
                            content_type="application/problem+json")
    return page_not_found(request, exception)
