"""Campaign pages, with live progress, event uploads for triggered campaigns, and the public
one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contacts.parsing import ValueProblem, parse_date
from nps_platform.csvio import CsvFormatError, csv_rows
from nps_platform.tenancy import tenant_context
from organizations import access
from surveys.selectors import respondent_branding

from . import services
from .forms import CampaignForm, EventUploadForm
from .models import Campaign
from .selectors import invitation_by_token


def campaign_list(request, org_slug):
    campaigns = Campaign.objects.select_related("survey").order_by("-created_at")
    return render(request, "distribution/list.html", {"campaigns": campaigns})


@access.admin_required
def campaign_edit(request, org_slug, campaign_id=None):
    campaign = get_object_or_404(Campaign, pk=campaign_id) if campaign_id else Campaign()
    initial = {"survey": request.GET.get("survey")} if request.GET.get("survey") else {}
    form = CampaignForm(request.POST or None, instance=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.organization = request.organization
        if campaign.pk is None:
            campaign.created_by = request.user
        campaign.save()
        messages.success(request, _("Saved. Start the campaign when you are ready."))
        return redirect("campaign_detail", org_slug=org_slug, campaign_id=campaign.pk)
    return render(request, "distribution/edit.html", {"form": form, "campaign": campaign})


def campaign_detail(request, org_slug, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("survey"), pk=campaign_id)
    context = {"campaign": campaign, "progress": services.campaign_progress(campaign=campaign),
               "event_form": EventUploadForm() if campaign.schedule == Campaign.Schedule.TRIGGERED else None}
    if request.htmx:
        return render(request, "distribution/_progress.html", context)
    return render(request, "distribution/detail.html", context)


@require_POST
@access.admin_required
def campaign_action(request, org_slug, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("survey"), pk=campaign_id)
    action = request.POST.get("action")
    try:
        if action == "start" and campaign.status == Campaign.Status.DRAFT:
            services.campaign_start(campaign=campaign, by=request.user)
            messages.success(request, _("Started. Emails go out from the next minute on."))
        elif action == "pause" and campaign.status in (Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE):
            services.campaign_pause(campaign=campaign, by=request.user)
        elif action == "resume" and campaign.status == Campaign.Status.PAUSED:
            services.campaign_resume(campaign=campaign, by=request.user)
        else:
            messages.error(request, _("That cannot be done now."))
    except services.CampaignError as exc:
        messages.error(request, str(exc))
    return redirect("campaign_detail", org_slug=org_slug, campaign_id=campaign.pk)


@require_POST
@access.admin_required
def campaign_events(request, org_slug, campaign_id):
    """Uploaded events for a triggered campaign: every good line is scheduled; each line that
    cannot be is reported with its number and reason."""
    campaign = get_object_or_404(Campaign.objects.select_related("survey__current_version"), pk=campaign_id)
    form = EventUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("campaign_detail", org_slug=org_slug, campaign_id=campaign.pk)
    tz = zoneinfo.ZoneInfo(request.organization.time_zone)
    scheduled, problems = 0, []
    try:
        _header, rows = csv_rows(form.cleaned_data["file"].read(), required={"email"})
        for row in rows:
            values = row.values
            if "__error__" in values:
                problems.append(f"Line {row.line}: {values['__error__']}.")
                continue
            try:
                day = parse_date(values["event_date"]) if values.get("event_date") else timezone.localdate()
            except ValueProblem as exc:
                problems.append(f"Line {row.line}: {exc}.")
                continue
            event_at = dt.datetime.combine(day, dt.time(12), tz)
            result = services.trigger_event(campaign=campaign, email=values["email"], event_at=event_at,
                                            name=values.get("name", ""), language=values.get("language", ""),
                                            external_id=values.get("external_id", ""))
            if result.invitation is None:
                problems.append(f"Line {row.line}: {values['email']}: {result.reason}.")
            else:
                scheduled += 1
    except CsvFormatError as exc:
        problems.append(str(exc))
    messages.success(request, _("%(n)d surveys scheduled.") % {"n": scheduled})
    for problem in problems[:50]:
        messages.warning(request, problem)
    return redirect("campaign_detail", org_slug=org_slug, campaign_id=campaign.pk)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session or token
def unsubscribe(request, token: str):
    invitation = invitation_by_token(token)
    if invitation is None:
        with translation.override(translation.get_language_from_request(request)):
            return render(request, "respondent/not_found.html", {"brand_name": ""}, status=404)
    with tenant_context(invitation.organization), translation.override(invitation.language):
        context = {"organization": invitation.organization, "email": invitation.email,
                   **respondent_branding(organization=invitation.organization)}
        if request.method == "POST":
            services.unsubscribe(invitation=invitation)
            return render(request, "respondent/unsubscribed.html", context)
        return render(request, "respondent/unsubscribe.html", context)
