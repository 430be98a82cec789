"""The staff side in the reader's own language and the organization's time: a member's chosen
language (their profile, or the navbar's switch) applies everywhere; until they choose, the
organization's default language does on its pages; anonymous pages (login, sign-up, password
reset) follow the browser (`Accept-Language`, Django's LocaleMiddleware). Organization pages
show times in the organization's time zone. Staff emails go out in the recipient's language."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .security import has_second_factor

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def language_for(user=None, organization=None) -> str:
    """The language a person reads the product in: theirs, else their organization's default."""
    chosen = getattr(user, "language", "") or ""
    if chosen in LANGUAGE_CODES:
        return chosen
    default = getattr(organization, "default_language", "") or ""
    return default if default in LANGUAGE_CODES else settings.LANGUAGE_CODE


class StaffLocaleMiddleware:
    """After the tenant middleware: activates the member's language (or the organization's) and
    the organization's time zone for the view and its templates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        user, organization = getattr(request, "user", None), getattr(request, "organization", None)
        signed_in = bool(user and user.is_authenticated)
        if signed_in and (user.language or organization is not None):
            language = language_for(user, organization)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if organization is not None:
            timezone.activate(zoneinfo.ZoneInfo(organization.time_zone))
        return None


@require_POST
def language_switch(request):
    """The navbar's switch: remembered on the profile of a signed-in member, and in the
    language cookie for everyone (Django's `set_language` does the cookie and the redirect)."""
    language = request.POST.get("language", "")
    if language in LANGUAGE_CODES and request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return set_language(request)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), required=False,
        choices=[("", gettext_lazy("The organization's language")), *settings.LANGUAGES],
        help_text=gettext_lazy("The language of the pages and of the emails you get."))


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, initial={"full_name": request.user.full_name,
                                                      "language": request.user.language})
    if request.method == "POST" and form.is_valid():
        request.user.full_name = form.cleaned_data["full_name"].strip()
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["full_name", "language"])
        translation.activate(language_for(request.user, getattr(request, "organization", None)))
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        if request.user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language,
                                max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
        return response
    return render(request, "organizations/profile.html", {"form": form,
                                                          "has_second_factor": has_second_factor(request.user)})
