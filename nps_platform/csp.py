"""django-csp's middleware, building each distinct policy once per process.

django-csp builds the Content-Security-Policy header for every response from the settings and
the view's decorators (copying the settings' directives twice, then joining them): about a
tenth of a request that does little else, such as a public answer's redirect. Without a nonce
(no page here asks for one) the header depends only on the settings and on the decorators'
directives, which are the same objects from request to request — so it is built once for each
combination and kept (until a setting changes: the tests override them)."""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse

# What a view's decorators put on its response (django-csp's names).
_PARTS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
          "_csp_exempt", "_csp_exempt_ro")
_KEEP_MAX = 256
# (ids of the parts) → (the parts themselves, the headers built for them)
_built: dict[tuple, tuple[tuple, tuple[tuple[str, str], ...]]] = {}


@receiver(setting_changed)
def _forget(**_kwargs) -> None:
    _built.clear()


def _cacheable(request, response) -> bool:
    """Nothing the policy depends on besides the settings and the decorators: no nonce, no
    exempted path prefix, no header set by the view itself, not DEBUG (which skips error pages)."""
    if settings.DEBUG or getattr(request, "_csp_nonce", None) is not None:
        return False
    if HEADER in response or HEADER_REPORT_ONLY in response:
        return False
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        if (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES"):
            return False
    return True


class CSPMiddleware(_CSPMiddleware):
    def process_response(self, request, response):
        if not _cacheable(request, response):
            return super().process_response(request, response)
        parts = tuple(getattr(response, name, None) for name in _PARTS)
        key = tuple(map(id, parts))
        kept = _built.get(key)
        if kept is None or any(a is not b for a, b in zip(kept[0], parts, strict=True)):
            probe = HttpResponse()  # the policy built the library's way, on a response like this one
            for name, value in zip(_PARTS, parts, strict=True):
                if value is not None:
                    setattr(probe, name, value)
            super().process_response(request, probe)
            if len(_built) >= _KEEP_MAX:
                _built.clear()
            kept = _built[key] = (parts, tuple((h, probe[h]) for h in (HEADER, HEADER_REPORT_ONLY) if h in probe))
        for header, value in kept[1]:
            response[header] = value
        # as the library does: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
