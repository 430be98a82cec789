"""The respondent's pages: answering from a personal link, and the thank-you page. Mobile
first, working without JavaScript, in the respondent's language. A GET never records an
answer (mail scanners open every link): the score in the link is only pre-selected."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts.models import Contact
from distribution.models import Invitation
from distribution.selectors import invitation_by_token
from nps_platform.counters import client_address, window_hit
from nps_platform.pagination import PER_PAGE, page_of
from nps_platform.tenancy import tenant_context
from organizations import access
from surveys.models import Survey, SurveyStatus
from surveys.presentation import category_for_score, survey_shown
from surveys.selectors import respondent_branding

from .answers import answers_attach
from .models import Channel
from .pages import page_context, problem_page, score_from
from .privacy import contact_erase, contact_export
from .selectors import COUNT_CAP, FILTER_KEYS, response_cursor, response_older
from .selectors import response_list as select
from .services import Submission, invitation_opened, invitation_response, response_record, submission_parse


def _language(request, invitation: Invitation, languages: list[str]) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang")
    return wanted if wanted in languages else invitation.language


def _problem(request, template: str, status: int, invitation: Invitation | None = None):
    if invitation is None:
        return problem_page(request, template, status)
    return problem_page(request, template, status, organization=invitation.organization,
                        language=invitation.language)


def _open(request, token: str):
    invitation = invitation_by_token(token)
    if invitation is None:
        return None, _problem(request, "not_found", 404)
    survey = invitation.survey
    if survey.status in (SurveyStatus.CLOSED,) or survey.archived_at or survey.current_version_id is None:
        return None, _problem(request, "closed", 410, invitation)
    if invitation.expires_at <= timezone.now():
        return None, _problem(request, "expired", 410, invitation)
    if survey.status != SurveyStatus.PUBLISHED:
        return None, _problem(request, "paused", 503, invitation)
    return invitation, None


def _rate_limited(request, invitation: Invitation) -> bool:
    """At most PERSONAL_RESPONSE_RATE writes (answers and score saves) per link and address in
    the window: a script hammering one link gets the friendly 429, while an office behind one
    address still answers (every colleague has their own link)."""
    limit, window = settings.PERSONAL_RESPONSE_RATE
    key = f"personal-rate:{invitation.organization_id}:{invitation.pk}:{client_address(request)}"
    return window_hit(key, window) > limit


def _rate_limited_page(request, invitation: Invitation):
    return render(request, "respondent/rate_limited.html", respondent_branding(organization=invitation.organization),
                  status=429)


@never_cache
def respond(request, token: str):
    invitation, problem = _open(request, token)
    if problem is not None:
        return problem
    with tenant_context(invitation.organization):
        version = invitation.survey.current_version
        definition = version.definition
        language = _language(request, invitation, definition["languages"])
        previous = invitation_response(invitation)
        score = score_from(request.POST.get("score"), request.GET.get("score"), previous.score if previous else None)
        shown = survey_shown(definition=definition, language=language, category=category_for_score(score))
        errors = []
        answers = previous.answers if previous else {}
        with translation.override(shown.language):
            if request.method == "POST":
                if _rate_limited(request, invitation):
                    return _rate_limited_page(request, invitation)
                submission = submission_parse(data=request.POST, shown=shown)
                if not submission.errors:
                    response_record(invitation=invitation, version=version, shown=shown, submission=submission)
                    return redirect(request.path + f"thanks/?lang={shown.language}")
                errors, answers = submission.errors, submission.answers
            elif invitation.opened_at is None:
                invitation_opened(invitation)
            return render(request, "respondent/survey_page.html", page_context(
                shown=shown, score=score, answers=answers, errors=errors, previous=previous,
                organization=invitation.organization, form_action=request.path,
                lang_query_prefix=f"score={score}&" if score is not None else "",
                unsubscribe_url=reverse("unsubscribe", kwargs={"token": token}),
                score_url=reverse("respond_score", kwargs={"token": token}),
            ), status=400 if errors else 200)


@require_POST
def respond_score(request, token: str):
    """The page's script saves a score the moment it is chosen (a person's click, never a GET)."""
    invitation, problem = _open(request, token)
    if problem is not None:
        return problem
    with tenant_context(invitation.organization):
        version = invitation.survey.current_version
        score = score_from(request.POST.get("score"))
        if score is None:
            return HttpResponseBadRequest("score must be 0–10")
        shown = survey_shown(definition=version.definition,
                             language=_language(request, invitation, version.definition["languages"]),
                             category=category_for_score(score))
        if _rate_limited(request, invitation):
            with translation.override(shown.language):
                return _rate_limited_page(request, invitation)
        response_record(invitation=invitation, version=version, shown=shown,
                        submission=Submission(score=score), score_only=True)
    return HttpResponse(status=204)


@never_cache
def thanks(request, token: str):
    invitation, problem = _open(request, token)
    if problem is not None:
        return problem
    with tenant_context(invitation.organization):
        response = invitation_response(invitation)
        if response is None:
            raise Http404()
        definition = invitation.survey.current_version.definition
        shown = survey_shown(definition=definition, language=_language(request, invitation,
                                                                         definition["languages"]),
                             category=response.category)
        with translation.override(shown.language):
            return render(request, "respondent/thank_you.html", {
                "shown": shown, "change_url": request.path.rsplit("thanks/", 1)[0] + f"?lang={shown.language}",
                **respondent_branding(organization=invitation.organization),
            })


def response_list(request, org_slug):
    actor = access.actor_of(request)
    filters = {k: request.GET.get(k, "") for k in FILTER_KEYS if request.GET.get(k)}
    qs = select(actor=actor, filters=filters)
    older = response_older(qs, request.GET["before"]) if request.GET.get("before") else None
    if older is not None:  # beyond the numbered pages: the PER_PAGE answers after the cursor
        rows = list(older[:PER_PAGE + 1])
        page, total, more = None, None, len(rows) > PER_PAGE
        rows = rows[:PER_PAGE]
    else:
        page = page_of(request, qs[:COUNT_CAP])  # counted up to the cap, never the whole table
        total, rows = page.paginator.count, list(page.object_list)
        more = total >= COUNT_CAP and not page.has_next() and qs[COUNT_CAP:COUNT_CAP + 1].exists()
    rows = answers_attach(rows, language=request.organization.default_language)
    if page is not None:
        page.object_list = rows
    # "Older" goes on from the last answer shown (a keyset seek), when there are more
    cursor = response_cursor(rows[-1]) if more and rows else None
    responses = page if page is not None else rows
    return render(request, "responses/list.html", {
        "responses": responses, "page_obj": page, "total": total, "count_cap": COUNT_CAP,
        "older_cursor": cursor, "filters": filters,
        "surveys": Survey.objects.exclude(kind=access.ANONYMOUS_KIND).order_by("name"), "channels": Channel.choices,
        "show_people": access.may_see_people(actor),
    })


@access.admin_required
def contact_personal_data(request, org_slug, contact_id):
    """Admins download everything held about a contact, as JSON (recorded in the audit log)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    data = contact_export(contact=contact, by=request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@require_POST
@access.admin_required
def contact_erase_view(request, org_slug, contact_id):
    contact = get_object_or_404(Contact, pk=contact_id)
    result = contact_erase(contact=contact, by=request.user)
    messages.success(request, ngettext(
        "Erased. %(count)d answer stays in the numbers without personal data.",
        "Erased. %(count)d answers stay in the numbers without personal data.",
        result["responses"]) % {"count": result["responses"]})
    return redirect("contact_list", org_slug=org_slug)
