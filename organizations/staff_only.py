"""Middleware that only the staff's pages need, passed by on the respondents' links.

A respondent follows an emailed link (`/r/…`), the public link (`/s/…`) or an unsubscribe link
(`/u/…`) and never signs in: no session, user, flash message, session-activity row, htmx
partial, tenant membership, staff language or two-factor gate applies to them. Those
middlewares are listed in settings.MIDDLEWARE through this module (a subclass of each, so
Django's and the libraries' checks still find them): on a respondent's link the subclass hands
the request straight on, on any other path it is the library's middleware unchanged. What every
page needs (security headers, CSP, CSRF, clickjacking, language, the odd-request guard, the
replica pin) is not listed here. It takes about a tenth off a public answer's CPU (issue 16)."""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django_htmx.middleware import HtmxMiddleware as _Htmx

from organizations.i18n import StaffLocaleMiddleware as _StaffLocale
from organizations.security import SessionActivityMiddleware as _SessionActivity
from organizations.security import TwoFactorRequiredMiddleware as _TwoFactorRequired
from organizations.tenancy import TenantMiddleware as _Tenant

RESPONDENT_PREFIXES = ("/r/", "/s/", "/u/")


def is_respondent_path(request) -> bool:
    return request.path_info.startswith(RESPONDENT_PREFIXES)


# The hooks Django's handler collects from a middleware, and what each gives on a respondent's
# link (None: "not handled here"; the response itself, unchanged).
_HOOKS = {"process_view": lambda args: None, "process_exception": lambda args: None,
          "process_template_response": lambda args: args[0]}


def _passed_by_for_respondents(base: type) -> type:
    """`base` as a middleware that does nothing on a respondent's link."""

    def __call__(self, request):
        if is_respondent_path(request):
            return self.get_response(request)
        return base.__call__(self, request)

    def hook(name, passed):
        def method(self, request, *args):
            if is_respondent_path(request):
                return passed(args)
            return getattr(base, name)(self, request, *args)
        method.__name__ = name
        return method

    attrs = {"__call__": __call__, "__doc__": f"{base.__module__}.{base.__qualname__}, not on respondents' links.",
             "__module__": __name__, "__qualname__": base.__name__}
    attrs.update({name: hook(name, passed) for name, passed in _HOOKS.items() if hasattr(base, name)})
    return type(base.__name__, (base,), attrs)


SessionMiddleware = _passed_by_for_respondents(_Sessions)
AuthenticationMiddleware = _passed_by_for_respondents(_Authentication)
MessageMiddleware = _passed_by_for_respondents(_Messages)
SessionActivityMiddleware = _passed_by_for_respondents(_SessionActivity)
HtmxMiddleware = _passed_by_for_respondents(_Htmx)
TenantMiddleware = _passed_by_for_respondents(_Tenant)
StaffLocaleMiddleware = _passed_by_for_respondents(_StaffLocale)
TwoFactorRequiredMiddleware = _passed_by_for_respondents(_TwoFactorRequired)
