"""Comment insight pages, under /o/<org_slug>/insights/: the drivers, why detractors and
promoters (for every reader, through the dashboard's own reading), and the taxonomy editor
with the suggested new themes (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.models import Segment
from dashboards.selectors import dashboard_for
from organizations import access
from organizations.models import Department
from surveys.models import Survey

from . import selectors, services
from .forms import AcceptForm, MergeForm, ThemeForm
from .models import Theme, ThemeSuggestion


def _filters_context(board) -> dict:
    return {"filters": board.filters, "query": board.filters.query(), "board": board,
            "surveys": Survey.objects.filter(archived_at=None).order_by("name"),
            "departments": Department.objects.order_by("name"), "segments": Segment.objects.order_by("name")}


def drivers(request, org_slug):
    board = dashboard_for(actor=access.actor_of(request), params=request.GET)
    return render(request, "insights/drivers.html", {**_filters_context(board), "drivers": selectors.drivers(board),
                                                     "threshold": board.organization.anonymity_threshold})


def why(request, org_slug):
    board = dashboard_for(actor=access.actor_of(request), params=request.GET)
    return render(request, "insights/why.html", {**_filters_context(board), "sides": selectors.why(board)})


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@access.admin_required
def themes(request, org_slug):
    organization = request.organization
    services.taxonomy_ensure(organization=organization)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_add(organization=organization, by=request.user, name=form.cleaned_data["name"],
                                       examples=form.cleaned_data["examples"], language=_language())
        except services.ThemeNameTaken:  # named so by another admin a moment ago
            form.add_error("name", _("A theme is already called so."))
        else:
            messages.success(request, _("Theme added: %(name)s. The comments are being analysed again.")
                             % {"name": theme.label()})
            return redirect("insights_themes", org_slug=org_slug)
    all_themes = list(Theme.objects.prefetch_related("examples").order_by("-active", "name"))
    suggestions = list(ThemeSuggestion.objects.filter(status=ThemeSuggestion.Status.OPEN)[:20])
    for suggestion in suggestions:
        suggestion.name_proposed = services.suggestion_name(suggestion)
    return render(request, "insights/themes.html", {"themes": all_themes, "form": form, "suggestions": suggestions})


@access.admin_required
def theme_edit(request, org_slug, theme_id):
    theme = get_object_or_404(Theme, pk=theme_id)
    initial = {"name": theme.label(), "examples": "\n".join(theme.examples.values_list("text", flat=True))}
    form = ThemeForm(request.POST or None, initial=initial, theme=theme)
    merge = MergeForm(theme=theme)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in ("deactivate", "activate"):
            services.theme_set_active(theme=theme, by=request.user, active=action == "activate")
            messages.success(request, _("Theme deactivated.") if action == "deactivate" else _("Theme activated."))
            return redirect("insights_themes", org_slug=org_slug)
        if form.is_valid():
            try:
                services.theme_update(theme=theme, by=request.user, name=form.cleaned_data["name"],
                                      examples=form.cleaned_data["examples"], language=_language())
            except services.ThemeNameTaken:  # named so by another admin a moment ago
                form.add_error("name", _("A theme is already called so."))
            else:
                messages.success(request, _("Theme saved. The comments are being analysed again."))
                return redirect("insights_themes", org_slug=org_slug)
    return render(request, "insights/theme_edit.html", {"theme": theme, "form": form, "merge": merge})


@require_POST
@access.admin_required
def theme_merge(request, org_slug, theme_id):
    theme = get_object_or_404(Theme, pk=theme_id)
    form = MergeForm(request.POST, theme=theme)
    if form.is_valid():
        into = services.theme_merge(theme=theme, into=form.cleaned_data["into"], by=request.user)
        messages.success(request, _("%(theme)s merged into %(into)s.") % {"theme": theme.label(), "into": into.label()})
    else:
        messages.error(request, _("Choose an active theme to merge into."))
    return redirect("insights_themes", org_slug=org_slug)


@require_POST
@access.admin_required
def suggestion_accept(request, org_slug, themesuggestion_id):
    suggestion = get_object_or_404(ThemeSuggestion, pk=themesuggestion_id, status=ThemeSuggestion.Status.OPEN)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The name is too long (at most 120 characters)."))
        return redirect("insights_themes", org_slug=org_slug)
    try:
        theme = services.suggestion_accept(suggestion=suggestion, by=request.user, name=form.cleaned_data["name"],
                                           language=_language())
    except services.SuggestionDecided:
        messages.info(request, _("This suggestion was already accepted or dismissed."))
        return redirect("insights_themes", org_slug=org_slug)
    except services.ThemeNameTaken as taken:
        messages.error(request, _("A theme is already called “%(name)s”: choose another name, or dismiss the "
                                  "suggestion and add its examples to that theme.") % {"name": taken.theme.label()})
        return redirect("insights_themes", org_slug=org_slug)
    messages.success(request, _("Theme added: %(name)s. Check its example phrases; the comments are being analysed "
                                "again.") % {"name": theme.label()})
    return redirect("insights_theme_edit", org_slug=org_slug, theme_id=theme.pk)


@require_POST
@access.admin_required
def suggestion_dismiss(request, org_slug, themesuggestion_id):
    suggestion = get_object_or_404(ThemeSuggestion, pk=themesuggestion_id, status=ThemeSuggestion.Status.OPEN)
    try:
        services.suggestion_dismiss(suggestion=suggestion, by=request.user)
    except services.SuggestionDecided:
        messages.info(request, _("This suggestion was already accepted or dismissed."))
        return redirect("insights_themes", org_slug=org_slug)
    messages.success(request, _("Suggestion dismissed."))
    return redirect("insights_themes", org_slug=org_slug)
