"""The survey's public link (`/s/<token>/`): for counters, receipts (QR codes) and web sites
(embedded). No invitation, so: a rate limit per address, a honeypot against bots, and a signed
cookie so one browser's second submission updates its first instead of counting twice."""

from __future__ import annotations

import copy

from csp.decorators import csp_replace
from django.conf import settings
from django.db import connection
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from nps_platform.counters import window_hit
from nps_platform.parsing import parse_id, parse_token_head
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee, Organization
from surveys.models import Survey, SurveyStatus, SurveyVersion
from surveys.presentation import category_for_score, survey_shown
from surveys.selectors import respondent_branding

from .models import Channel, Response
from .pages import page_context, problem_page, score_from
from .services import response_record_public, submission_parse

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


def _client_address(request) -> str:
    if settings.TRUST_X_FORWARDED_FOR and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request, survey: Survey) -> bool:
    limit, window = settings.PUBLIC_RESPONSE_RATE
    return window_hit(f"public-rate:{survey.organization_id}:{survey.pk}:{_client_address(request)}", window) > limit


def _fingerprint_sql() -> str:
    survey, organization = Survey._meta.db_table, Organization._meta.db_table
    version = SurveyVersion._meta.db_table
    return (f"SELECT md5(s::text || o::text || coalesce(v::text, '')) FROM {survey} s "  # noqa: S608 - table names
            f"JOIN {organization} o ON o.id = s.organization_id LEFT JOIN {version} v ON v.id = s.current_version_id "
            "WHERE s.organization_id = %s AND s.public_token = %s AND s.public_enabled AND s.archived_at IS NULL "
            "AND o.is_active")


# token → (fingerprint, survey with its organization and current version), per process. Building
# that ORM query was two fifths of a public answer's CPU; the fingerprint, a hash of the three
# rows computed by PostgreSQL, is one plain query, and any change to them is a new fingerprint.
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
        cursor.execute(_fingerprint_sql(), [head, token])
        row = cursor.fetchone()
    if row is None:
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


def _cookie_name(survey: Survey) -> str:
    return f"nps_s{survey.pk}"


def _previous(request, survey: Survey) -> Response | None:
    value = request.get_signed_cookie(_cookie_name(survey), default=None, salt=COOKIE_SALT)
    if (response_id := parse_id(value)) is None:
        return None
    return Response.objects.filter(pk=response_id, survey=survey).first()


def _problem(request, template: str, status: int, survey: Survey | None = None):
    return problem_page(request, template, status, organization=survey.organization if survey else None)


def _open(request, token):
    survey = _survey(token)
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
    survey, problem = _open(request, token)
    if problem is not None:
        return problem
    with tenant_context(survey.organization):
        version = survey.current_version
        definition = version.definition
        language = best_language(request, definition["languages"], definition["default_language"])
        previous = _previous(request, survey)
        score = score_from(request.POST.get("score"), request.GET.get("score"), previous.score if previous else None)
        shown = survey_shown(definition=definition, language=language, category=category_for_score(score))
        errors, answers = [], previous.answers if previous else {}
        channel = _channel(request)
        thanks_url = reverse("public_thanks", kwargs={"token": token}) + f"?lang={shown.language}"
        with translation.override(shown.language):
            if request.method == "POST":
                if request.POST.get("website"):  # the honeypot: people never see this field
                    return redirect(thanks_url)
                if rate_limited(request, survey):
                    return render(request, "respondent/rate_limited.html",
                                  respondent_branding(organization=survey.organization), status=429)
                submission = submission_parse(data=request.POST, shown=shown)
                if not submission.errors:
                    response, _changed = response_record_public(
                        survey=survey, version=version, shown=shown, submission=submission, channel=channel,
                        department=_department(request, survey), employee=_employee(request, survey),
                        previous=previous)
                    redirect_response = redirect(thanks_url)
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


