"""The survey's public link (`/s/<token>/`): for counters, receipts (QR codes) and web sites
(embedded). No invitation, so: a rate limit per address, a honeypot against bots, and a signed
cookie so one browser's second submission updates its first instead of counting twice."""

from __future__ import annotations

import copy
import functools

from csp.decorators import csp_replace
from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from nps_platform.counters import client_address, window_hit
from nps_platform.parsing import parse_id, parse_token_head
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee
from surveys.models import Survey, SurveyStatus
from surveys.presentation import ShownSurvey, category_for_score, survey_shown
from surveys.selectors import respondent_branding

from .models import Channel, Response
from .pages import page_context, problem_page, score_from
from .services import SurveyChanged, public_survey_fingerprint_sql, response_record_public, submission_parse

COOKIE_SALT = "public-response"
EMBEDDABLE = csp_replace({"frame-ancestors": ["*"], "form-action": ["'self'"]})
_ALIASES = {"no": "nb", "nn": "nb"}


def best_language(request, languages: list[str], default: str) -> str:
    """`?lang=` if the survey has it, else the best match of Accept-Language among the survey's
    languages (da-DK → da, no → nb), else the survey's default."""
    wanted = request.GET.get("lang") or request.POST.get("lang")
    if wanted in languages:
        return wanted
    for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.lower().split("-")[0]
        base = _ALIASES.get(base, base)
        if base in languages:
            return base
    return default


def rate_limited(request, survey: Survey) -> bool:
    limit, window = settings.PUBLIC_RESPONSE_RATE
    return window_hit(f"public-rate:{survey.organization_id}:{survey.pk}:{client_address(request)}", window) > limit


# token → (fingerprint, survey with its organization and current version), per process. Building
# that ORM query was two fifths of a public answer's CPU; the fingerprint, a hash of the three
# rows computed by PostgreSQL (services.public_survey_fingerprint_sql), is one plain query, and
# any change to them is a new fingerprint. A page (GET) asks for it every time; a first answer
# (POST) to a survey known here skips that query: its INSERT checks the fingerprint in the same
# statement, and a survey changed meanwhile (paused, closed, a new version) saves nothing and
# the answer is taken again against the survey as it is now.
_known: dict[str, tuple[str, Survey]] = {}
_KNOWN_MAX = 1000


def _survey_query(organization_id: int, token: str) -> Survey | None:
    # No ORDER BY: the token is unique (matching one against the selected columns costs).
    found = Survey.objects.dangerously_unscoped().select_related("current_version", "organization").filter(
        organization_id=organization_id, organization__is_active=True, public_token=token, public_enabled=True,
        archived_at=None).order_by()[:1]
    return next(iter(found), None)


def _survey(token: str) -> Survey | None:
    head = parse_token_head(token)  # an organization id, within PostgreSQL's bigint
    if head is None:
        return None
    if connection.vendor != "postgresql":  # the embedded mode's SQLite: no fingerprint, no keeping
        return _survey_query(head, token)
    with connection.cursor() as cursor:  # the token names its organization, which must be active
        cursor.execute(public_survey_fingerprint_sql(), [head, token])
        row = cursor.fetchone()
    if row is None:
        _known.pop(token, None)
        return None
    known = _known.get(token)
    if known is None or known[0] != row[0]:
        survey = _survey_query(head, token)
        if survey is None:
            return None
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        known = _known[token] = (row[0], survey)
    return copy.copy(known[1])  # a request's own instance; the organization and version are shared, read only


def _survey_unchecked(token: str) -> tuple[Survey, str] | None:
    """The survey as this process last saw it, and its fingerprint then (not asked again)."""
    known = _known.get(token)
    return None if known is None else (copy.copy(known[1]), known[0])


class _Recheck(Exception):
    """An answer taken against the survey as last seen here needs the survey as it is now."""

    def __init__(self, limited: bool | None = None):
        self.limited = limited  # the rate limit's verdict, once counted (it is counted once)


# (version id, language, category) → what the respondent sees, per process: a published version
# never changes, and nothing changes what was made from it (it is only read).
_shown_known: dict[tuple, ShownSurvey] = {}


def _shown(version, language: str, category: str | None) -> ShownSurvey:
    key = (version.pk, language, category)
    shown = _shown_known.get(key)
    if shown is None:
        if len(_shown_known) >= _KNOWN_MAX * 4:
            _shown_known.clear()
        shown = _shown_known[key] = survey_shown(definition=version.definition, language=language,
                                                 category=category)
    return shown


@functools.lru_cache(maxsize=1024)
def _thanks_path(token: str) -> str:
    return reverse("public_thanks", kwargs={"token": token})


def _cookie_name(survey: Survey) -> str:
    return f"nps_s{survey.pk}"


def _previous(request, survey: Survey) -> Response | None:
    value = request.get_signed_cookie(_cookie_name(survey), default=None, salt=COOKIE_SALT)
    if (response_id := parse_id(value)) is None:
        return None
    return Response.objects.filter(pk=response_id, survey=survey).first()


def _problem(request, template: str, status: int, survey: Survey | None = None):
    return problem_page(request, template, status, organization=survey.organization if survey else None)


def _open(request, token, survey: Survey | None = None):
    survey = survey or _survey(token)
    if survey is None:
        return None, _problem(request, "not_found", 404)
    if survey.status == SurveyStatus.CLOSED or survey.current_version_id is None:
        return None, _problem(request, "closed", 410, survey)
    if survey.status != SurveyStatus.PUBLISHED:
        return None, _problem(request, "paused", 503, survey)
    return survey, None


def _channel(request) -> str:
    wanted = request.GET.get("c") or request.POST.get("c")
    return wanted if wanted in (Channel.QR, Channel.EMBED) else Channel.LINK


def _department(request, survey: Survey):
    if not survey.ask_department:
        return None
    department_id = parse_id(request.POST.get("department"))
    return Department.objects.filter(pk=department_id).first() if department_id else None


def _employee(request, survey: Survey):
    if not survey.ask_employee or survey.is_anonymous:
        return None
    employee_id = parse_id(request.POST.get("employee"))
    return _employees().filter(pk=employee_id).first() if employee_id else None


def _employees():
    return Employee.objects.filter(is_active=True, is_customer_facing=True).order_by("name")


@never_cache
@xframe_options_exempt
@EMBEDDABLE
@csrf_exempt  # embedded in other sites, where our CSRF cookie is not sent; rate limit and honeypot guard it
def public_respond(request, token: str):
    unchecked = _survey_unchecked(token) if request.method == "POST" else None
    if unchecked is not None:
        try:
            return _respond(request, token, unchecked=unchecked)
        except _Recheck as recheck:
            return _respond(request, token, limited=recheck.limited)
    return _respond(request, token)


def _respond(request, token: str, *, unchecked: tuple[Survey, str] | None = None, limited: bool | None = None):
    """The page and its answers. `unchecked`: the survey as last seen here, with its fingerprint,
    for a first answer (anything else raises _Recheck); `limited`: the rate limit's verdict if
    already counted."""
    survey, problem = _open(request, token, unchecked[0] if unchecked else None)
    if problem is not None:
        if unchecked:
            raise _Recheck(limited)
        return problem
    with tenant_context(survey.organization):
        version = survey.current_version
        definition = version.definition
        language = best_language(request, definition["languages"], definition["default_language"])
        previous = _previous(request, survey)
        if unchecked and previous is not None:
            raise _Recheck(limited)  # a change to an earlier answer is made against the survey as it is now
        score = score_from(request.POST.get("score"), request.GET.get("score"), previous.score if previous else None)
        shown = _shown(version, language, category_for_score(score))
        errors, answers = [], previous.answers if previous else {}
        channel = _channel(request)
        thanks_url = _thanks_path(token) + f"?lang={shown.language}"
        with translation.override(shown.language):
            if request.method == "POST":
                if request.POST.get("website"):  # the honeypot: people never see this field
                    return HttpResponseRedirect(thanks_url)
                if limited is None:
                    limited = rate_limited(request, survey)
                if limited:
                    if unchecked:
                        raise _Recheck(limited)
                    return render(request, "respondent/rate_limited.html",
                                  respondent_branding(organization=survey.organization), status=429)
                submission = submission_parse(data=request.POST, shown=shown)
                if unchecked and submission.errors:
                    raise _Recheck(limited)
                if not submission.errors:
                    try:
                        response, _changed = response_record_public(
                            survey=survey, version=version, shown=shown, submission=submission, channel=channel,
                            department=_department(request, survey), employee=_employee(request, survey),
                            previous=previous, if_unchanged=unchecked[1] if unchecked else None)
                    except SurveyChanged:
                        _known.pop(token, None)
                        raise _Recheck(limited) from None
                    redirect_response = HttpResponseRedirect(thanks_url)
                    # Embedded on another site, the cookie is third-party: it needs SameSite=None
                    # (allowed only over HTTPS) for "one browser counts once" to hold there.
                    secure = request.is_secure()
                    redirect_response.set_signed_cookie(_cookie_name(survey), str(response.pk), salt=COOKIE_SALT,
                                                        max_age=60 * 60 * 24 * 365, httponly=True, secure=secure,
                                                        samesite="None" if secure else "Lax")
                    return redirect_response
                errors, answers = submission.errors, submission.answers
            return render(request, "respondent/survey_page.html", page_context(
                shown=shown, score=score, answers=answers, errors=errors, previous=previous,
                organization=survey.organization, form_action=request.path,
                lang_query_prefix=f"c={channel}&", channel=channel, honeypot=True,
                departments=Department.objects.order_by("name") if survey.ask_department else None,
                department_id=previous.department_id if previous else None,
                employees=_employees() if survey.ask_employee and not survey.is_anonymous else None,
                employee_id=previous.employee_id if previous else None,
            ), status=400 if errors else 200)


@never_cache
@xframe_options_exempt
@EMBEDDABLE
def public_thanks(request, token: str):
    survey, problem = _open(request, token)
    if problem is not None:
        return problem
    with tenant_context(survey.organization):
        definition = survey.current_version.definition
        previous = _previous(request, survey)
        shown = survey_shown(definition=definition,
                             language=best_language(request, definition["languages"],
                                                    definition["default_language"]),
                             category=previous.category if previous else None)
        with translation.override(shown.language):
            return render(request, "respondent/thank_you.html", {
                "shown": shown, **respondent_branding(organization=survey.organization),
                "change_url": reverse("public_respond", kwargs={"token": token}) + f"?lang={shown.language}"
                if previous else None,
            })


