"""Requests refused before any view runs, with the site's layout (or a problem document for the
API): a NUL byte in a query string or form field (PostgreSQL refuses it in any text, so it would
otherwise surface as a 500 wherever a filter or field reaches the database), and a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (413 instead of Django's bare 400 page)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .parsing import parse_int

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _refuse(request, status: int, title: str, detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                            status=status, content_type="application/problem+json")
    return render(request, "errors/refused.html", {"title": title, "detail": detail}, status=status)


class OddRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = parse_int(request.META.get("CONTENT_LENGTH") or "0", 0, 2**62, default=0)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit and request.content_type != "multipart/form-data":
                raise RequestDataTooBig()
            form = request.POST if request.method == "POST" and request.content_type in FORM_TYPES else None
        except RequestDataTooBig:
            return _refuse(request, 413, _("Too much data"),
                           _("The request was larger than this site accepts (%(mb)d MB). Send a smaller file or "
                             "split it.") % {"mb": (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024)})
        except TooManyFieldsSent:
            return _refuse(request, 400, _("Too many fields"), _("The form sent more fields than this site accepts."))
        if _has_nul(request.GET) or (form is not None and _has_nul(form)):
            return _refuse(request, 400, _("Invalid characters"),
                           _("The address or the form contained a NUL character, which is not allowed."))
        return self.get_response(request)
