"""Single sign-on pages: "Sign in with your company account" (an email address → its
organization's IdP) and the organization's SSO settings (admins only)."""

from __future__ import annotations

import functools
import logging

import requests
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nps_platform.parsing import parse_id

from .. import access
from ..models import EmailDomain, SsoConnection
from . import dns as sso_dns
from . import services
from .adapter import social_app_for
from .forms import EmailDomainForm, SsoConnectionForm, SsoStartForm

logger = logging.getLogger(__name__)


def _next_url(request) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return None


def idp_redirect(request, connection: SsoConnection, *, email: str, next_url: str | None) -> HttpResponseRedirect:
    """Off to the organization's IdP, through allauth (which keeps the state and, for OpenID
    Connect, the PKCE verifier in the session)."""
    provider = social_app_for(connection).get_provider(request)
    if connection.kind == SsoConnection.Kind.SAML:
        return provider.redirect(request, AuthProcess.LOGIN, next_url=next_url)
    params = {**provider.get_auth_params(), "login_hint": email}
    if connection.issuer.rstrip("/") == "https://accounts.google.com":
        params["hd"] = services.email_domain_of(email)  # Google Workspace: the company's accounts only
    return provider.redirect(request, AuthProcess.LOGIN, next_url=next_url, auth_params=params)


@require_http_methods(["GET", "POST"])
def sso_start(request):
    form = SsoStartForm(request.POST or None, initial={"email": request.GET.get("email", "")[:254]})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        connection = services.connection_for_email(email)
        if connection is None:
            form.add_error("email", _("Single sign-on is not set up for this address. Sign in with your password."))
        else:
            try:
                return idp_redirect(request, connection, email=email, next_url=_next_url(request))
            except Exception:  # the IdP's metadata or discovery document out of reach, or unreadable
                logger.exception("single sign-on: %s's IdP is out of reach", connection.provider_id)
                form.add_error("email", _("Your organization's sign-in service cannot be reached just now. "
                                          "Please try again in a few minutes."))
    return render(request, "sso/start.html", {"form": form, "next": _next_url(request) or ""})


def _saml_guarded(view_name: str, *, unreadable: bool = False):
    """allauth's SAML view `view_name`, with what it cannot cope with answered by a page: a
    message it cannot read (400), an IdP whose metadata cannot be fetched just now (503); a
    request without a Host header gets the checked server name. Never a server error."""

    target = getattr(saml_views, view_name)

    @functools.wraps(target)  # keeps allauth's csrf_exempt (the IdP posts to the ACS)
    def view(request, organization_slug):
        # python3-saml reads HTTP_HOST itself (an HTTP/1.0 client may send none): the checked host
        request.META.setdefault("HTTP_HOST", request.get_host())
        try:
            return target(request, organization_slug=organization_slug)
        except Http404:
            raise
        except requests.RequestException:
            logger.warning("single sign-on: the SAML IdP of %s cannot be reached", organization_slug)
            return render(request, "sso/refused.html", {"message": _(
                "Your organization's sign-in service cannot be reached just now. Please try again in a few "
                "minutes.")}, status=503)
        except Exception:  # lxml's, python3-saml's and binascii's errors
            logger.info("single sign-on: an unreadable SAML message for %s", organization_slug, exc_info=True)
            message = (_("This sign-out message could not be read.") if unreadable
                       else _("This sign-in request could not be read."))
            return render(request, "sso/refused.html", {"message": message}, status=400)

    return view


saml_acs = _saml_guarded("acs")
saml_finish_acs = _saml_guarded("finish_acs")
saml_sls = _saml_guarded("sls", unreadable=True)
saml_metadata = _saml_guarded("metadata")
saml_login = _saml_guarded("login")


def _sp_details(request, key: str) -> dict[str, str]:
    """What the admin pastes into the IdP."""
    absolute = request.build_absolute_uri
    return {
        "oidc_redirect_uri": absolute(reverse("openid_connect_callback", kwargs={"provider_id": f"oidc-{key}"})),
        "saml_acs_url": absolute(reverse("saml_acs", kwargs={"organization_slug": key})),
        "saml_entity_id": absolute(reverse("saml_metadata", kwargs={"organization_slug": key})),
        "saml_metadata_url": absolute(reverse("saml_metadata", kwargs={"organization_slug": key})),
    }


def _domain_action(request, organization) -> None:
    action = request.POST.get("action")
    if action == "add_domain":
        domain_form = EmailDomainForm(request.POST)
        if domain_form.is_valid():
            services.email_domain_add(organization=organization, domain=domain_form.cleaned_data["domain"],
                                      by=request.user)
            messages.success(request, _("Domain added. Publish the TXT record, then verify it."))
        return
    email_domain = get_object_or_404(EmailDomain, pk=parse_id(request.POST.get("domain_id")) or 0)
    if action == "verify_domain":
        services.email_domain_verify(email_domain=email_domain, by=request.user)
        messages.success(request, _("%(domain)s is verified.") % {"domain": email_domain.domain})
    elif action == "remove_domain":
        services.email_domain_remove(email_domain=email_domain, by=request.user)
        messages.success(request, _("%(domain)s removed.") % {"domain": email_domain.domain})


@access.admin_required
@require_http_methods(["GET", "POST"])
def sso_settings(request, org_slug):
    organization = request.organization
    existing = SsoConnection.objects.first()
    connection = existing or SsoConnection(organization=organization)
    posted = request.method == "POST"
    action = request.POST.get("action", "save_connection") if posted else None
    form = SsoConnectionForm(request.POST if action == "save_connection" else None, instance=connection,
                             has_secret=bool(connection.client_secret_encrypted))
    if posted and action != "save_connection":
        try:
            _domain_action(request, organization)
        except services.SsoError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("sso_settings", org_slug=org_slug)
    if posted and form.is_valid():
        try:
            services.sso_connection_save(connection=form.save(commit=False), by=request.user,
                                         changed=form.changed_data,
                                         client_secret=form.cleaned_data.get("client_secret") or None)
        except services.SsoError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Single sign-on saved."))
            return redirect("sso_settings", org_slug=org_slug)
    key = existing.key if existing else services.connection_key_free(organization)
    domains = list(EmailDomain.objects.all())
    return render(request, "organizations/sso_settings.html", {
        "form": form,
        "connection": existing,
        "sp": _sp_details(request, key),
        "domains": [(d, sso_dns.record_name(d.domain), sso_dns.record_value(d.token)) for d in domains],
        "domain_form": EmailDomainForm(),
        "has_verified_domain": any(d.is_verified for d in domains),
    })
