"""Company sign-in on top of django-allauth: an organization may require a second factor of
some or all of its members (`Organization.two_factor_required`, decided per member by
`access.two_factor_required`): until they set one up they reach none of its pages — they are
sent to the two-factor setup with a message — and its API answers a session of theirs 403
(API keys are not members and are unaffected). Sign-ins, failed sign-ins, sign-outs and
changes to a member's second factors go to the audit log of every organization they belong to.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from allauth.account import signals as account_signals
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nps_platform.counters import client_address

from .access import two_factor_required
from .models import Membership, Organization
from .services import audit_record
from .sso.services import connection_by_provider_id
from .tenancy import membership_for

# The kinds that count as a second factor (recovery codes only back one up).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def organizations_requiring_two_factor(user) -> list[Organization]:
    """The organizations whose policy asks this user for a second factor."""
    memberships = Membership.objects.dangerously_unscoped().select_related("organization").filter(
        user_id=user.pk, organization__is_active=True).exclude(organization__two_factor_required="nobody")
    return [m.organization for m in memberships if two_factor_required(m)]


def signed_in_with_sso_of(request, user, organization) -> bool:
    """Whether this session began at this organization's own identity provider (single sign-on):
    its IdP owns that sign-in, second factor included. Another organization's IdP does not count."""
    for record in get_authentication_records(request, user):
        if record.get("method") == "socialaccount":
            connection = connection_by_provider_id(record.get("provider", ""))
            if connection is not None and connection.organization_id == organization.pk:
                return True
    return False


CONTINUE_KEY = "two_factor_continue"


class TwoFactorRequiredMiddleware:
    """After the tenant middleware (and the member's language): an organization's page, or its
    API called with a session naming it, is refused to a member its policy asks for a second
    factor until they have one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        membership, api = getattr(request, "membership", None), False
        # Only an API key (`Bearer …`) is not the session; any other Authorization header leaves it in charge.
        if (membership is None and request.path.startswith("/api/")
                and not request.headers.get("Authorization", "").startswith("Bearer ")):
            slug = request.headers.get("X-Organization") or request.GET.get("organization", "")
            membership, api = (membership_for(user=user, slug=slug) if slug else None), True
        if membership is None and request.path.startswith("/admin/") and user.is_staff:
            # The Django admin shows every organization's data: it waits for each one's policy.
            membership = next((m for m in Membership.objects.dangerously_unscoped().select_related("organization")
                               .filter(user_id=user.pk, organization__is_active=True) if two_factor_required(m)), None)
        if membership is None or not two_factor_required(membership):
            return None
        if has_second_factor(user):
            if CONTINUE_KEY in request.session:
                del request.session[CONTINUE_KEY]  # arrived
            return None
        if signed_in_with_sso_of(request, user, membership.organization):
            return None  # the company's identity provider asked for its own second factor
        if api:
            return JsonResponse({"type": "about:blank", "title": "Forbidden", "status": 403,
                                 "detail": "This organization requires two-factor authentication of this "
                                           "member: set it up at /accounts/2fa/ or use an API key."},
                                status=403, content_type="application/problem+json")
        messages.warning(request, _(
            "%(organization)s requires two-factor authentication for your account. Set up an "
            "authenticator app or a passkey below to continue.") % {"organization": membership.organization.name})
        target = reverse("mfa_index") + "?" + urlencode({"next": request.get_full_path()})
        # The two-factor pages offer the way back once a factor is set up (allauth's own pages
        # end on the recovery codes, not on `next`).
        request.session[CONTINUE_KEY] = {"path": request.get_full_path(), "organization": membership.organization.name}
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def may_remove_authenticator(authenticator: Authenticator) -> bool:
    """A member whose organization requires two-factor keeps at least one second factor."""
    if authenticator.type not in SECOND_FACTORS:
        return True
    others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTORS).exclude(
        pk=authenticator.pk)
    return others.exists() or not organizations_requiring_two_factor(authenticator.user)


# --- The audit log --------------------------------------------------------------------------

def _request_data(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_address(request), "browser": request.headers.get("User-Agent", "")[:200]}


def account_audit(*, user, action: str, summary: str, request=None, actor=True, data: dict | None = None) -> None:
    """One entry in each active organization the user is a member of."""
    if user is None or user.pk is None:
        return
    organizations = Organization.objects.filter(
        is_active=True, pk__in=Membership.objects.dangerously_unscoped().filter(user_id=user.pk)
        .values("organization_id"))
    details = {**_request_data(request), **(data or {})}
    for organization in organizations:
        audit_record(organization=organization, actor=user if actor else None, action=action, target=user,
                     summary=summary, data=details)


def _methods(request, user) -> list[str]:
    methods = []
    for record in get_authentication_records(request, user) if request is not None else []:
        method = record.get("method", "")
        kind = record.get("type") or record.get("provider")
        methods.append(f"{method}:{kind}" if kind else method)
    return methods


@receiver(account_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    methods = _methods(request, user)
    account_audit(user=user, action="account.login", request=request, data={"methods": methods},
                  summary=f"{user.email} signed in ({', '.join(methods) or 'session'})")


def record_logout(request) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        account_audit(user=user, action="account.logout", request=request, summary=f"{user.email} signed out")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    email = (credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    if not isinstance(email, str) or not email.strip():
        return
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    account_audit(user=user, action="account.login_failed", request=request, actor=False,
                  summary=f"Failed sign-in for {email.strip().lower()}")


_FACTOR_NAMES = {Authenticator.Type.TOTP: "authenticator app", Authenticator.Type.WEBAUTHN: "passkey",
                 Authenticator.Type.RECOVERY_CODES: "recovery codes"}
_ADDED = {Authenticator.Type.TOTP: "account.totp_enabled", Authenticator.Type.WEBAUTHN: "account.passkey_added",
          Authenticator.Type.RECOVERY_CODES: "account.recovery_codes_created"}
_REMOVED = {Authenticator.Type.TOTP: "account.totp_disabled", Authenticator.Type.WEBAUTHN: "account.passkey_removed",
            Authenticator.Type.RECOVERY_CODES: "account.recovery_codes_removed"}


def _factor_data(authenticator) -> dict:
    data = {"authenticator": authenticator.pk, "type": authenticator.type}
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        data["name"] = (authenticator.data or {}).get("name", "")[:100]
    return data


@receiver(mfa_signals.authenticator_added)
def _factor_added(sender, request, user, authenticator, **kwargs):
    name = _FACTOR_NAMES.get(authenticator.type, authenticator.type)
    account_audit(user=user, action=_ADDED.get(authenticator.type, "account.factor_added"), request=request,
                  summary=f"{user.email} added a second factor: {name}", data=_factor_data(authenticator))
    others = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk)
    if authenticator.type in SECOND_FACTORS and not others.exists():
        account_audit(user=user, action="account.two_factor_enabled", request=request,
                      summary=f"{user.email} turned on two-factor authentication")


@receiver(mfa_signals.authenticator_removed)
def _factor_removed(sender, request, user, authenticator, **kwargs):
    name = _FACTOR_NAMES.get(authenticator.type, authenticator.type)
    account_audit(user=user, action=_REMOVED.get(authenticator.type, "account.factor_removed"), request=request,
                  summary=f"{user.email} removed a second factor: {name}", data=_factor_data(authenticator))
    if authenticator.type in SECOND_FACTORS and not has_second_factor(user):
        account_audit(user=user, action="account.two_factor_disabled", request=request,
                      summary=f"{user.email} has no second factor any more")


@receiver(mfa_signals.authenticator_reset)
def _factor_reset(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        account_audit(user=user, action="account.recovery_codes_regenerated", request=request,
                      summary=f"{user.email} generated new recovery codes", data=_factor_data(authenticator))


@receiver(mfa_signals.authentication_failed)
def _second_factor_failed(sender, request, user, authenticator=None, **kwargs):
    account_audit(user=user, action="account.two_factor_failed", request=request, actor=False,
                  summary=f"A wrong second-factor code for {user.email}")


# --- The organization's security page ---------------------------------------------------------

def members_two_factor_status(*, organization) -> list[dict]:
    """Each member (in the organization's context) with their role, whether the policy covers
    them and whether they have a second factor."""
    second_factor = Authenticator.objects.filter(user_id=OuterRef("user_id"), type__in=SECOND_FACTORS)
    memberships = (Membership.objects.select_related("user", "organization")
                   .annotate(has_second_factor=Exists(second_factor)).order_by("user__email"))
    return [{"membership": m, "required": two_factor_required(m), "has_second_factor": m.has_second_factor}
            for m in memberships]


# --- Sessions ---------------------------------------------------------------------------------

SEEN_EVERY = 300  # seconds: "last seen" is this fresh, for one Redis call a request and a write per period


class SessionActivityMiddleware:
    """Keeps each signed-in session's row (allauth's UserSession: browser, address, last seen)
    without a database write per request: at most one per session every SEEN_EVERY seconds.
    A session signed in another way (sign-up, an invitation) gets its row on its first request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._seen(request)
        return self.get_response(request)

    @staticmethod
    def _seen(request) -> None:
        user, session = getattr(request, "user", None), getattr(request, "session", None)
        if user is None or session is None or not session.session_key or not user.is_authenticated:
            return
        marker = "session-seen:" + hashlib.sha256(session.session_key.encode()).hexdigest()[:32]
        if not cache.add(marker, 1, timeout=SEEN_EVERY):
            return
        if not UserSession.objects.filter(session_key=session.session_key, user_id=user.pk).update(
                last_seen_at=timezone.now()):
            UserSession.objects.create_from_request(request, user=user, session=session)


@login_required
@require_POST
def session_end(request, usersession_id: int):
    """Ends one of the member's other sessions (allauth's own page ends all of them at once)."""
    session = get_object_or_404(UserSession, pk=usersession_id, user_id=request.user.pk)
    if session.is_current():
        return redirect("usersessions_list")
    session.end()
    account_audit(user=request.user, action="account.session_ended", request=request,
                  summary=f"{request.user.email} ended a session ({session.ip})",
                  data={"ended_ip": session.ip, "ended_browser": session.user_agent[:200]})
    messages.success(request, _("The session is ended: that browser is signed out."))
    return redirect("usersessions_list")
