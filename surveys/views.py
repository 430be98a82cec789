"""Survey builder pages. Admins and owners edit; managers and viewers read. htmx swaps the
question cards in place; every action also works as a plain form post without JavaScript."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from organizations import access

from . import services
from .forms import ChoiceAddForm, QuestionForm, ReviewLinkForm, SurveyCreateForm, SurveySettingsForm, TextsForm
from .models import CATEGORIES, Choice, Question, QuestionType, ReviewLink, Survey
from .presentation import survey_shown
from .selectors import respondent_branding, survey_problems_by_question
from .selectors import survey_list as select_surveys
from .texts import survey_text_slots

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _survey(survey_id) -> Survey:
    return get_object_or_404(Survey, pk=survey_id)


def _question(survey_id, question_id) -> Question:
    return get_object_or_404(Question.objects.select_related("survey"), pk=question_id, survey_id=survey_id)


def _builder_context(request, survey: Survey, *, problems=None, publish_failed=False) -> dict:
    by_question, general = survey_problems_by_question(survey=survey)
    questions = list(survey.questions.prefetch_related("choices"))
    for q in questions:
        q.problems = by_question.get(q.pk, [])
        q.shown_texts = q.texts.get(survey.default_language, {})
    return {
        "survey": survey,
        "questions": questions,
        "general_problems": general,
        "problem_count": sum(len(v) for v in by_question.values()) + len(general),
        "publish_failed": publish_failed,
        "can_edit": access.may_administer(access.actor_of(request)),
        "question_types": QuestionType.choices,
        "versions": survey.versions.all()[:10],
        "language_names": LANGUAGE_NAMES,
        "link_form": ReviewLinkForm(),
        "public_url": public_url(request, survey) if survey.public_token else "",
        "embed_url": public_url(request, survey, channel="embed") if survey.public_token else "",
        "links": survey.review_links.all(),
    }


def survey_list(request, org_slug):
    show_archived = request.GET.get("archived") == "1"
    return render(request, "surveys/list.html", {
        "surveys": select_surveys(archived=show_archived), "show_archived": show_archived,
    })


@access.admin_required
def survey_new(request, org_slug):
    form = SurveyCreateForm(request.POST or None,
                            initial={"default_language": request.organization.default_language})
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(organization=request.organization, by=request.user, **form.cleaned_data)
        return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)
    return render(request, "surveys/new.html", {"form": form})


def survey_builder(request, org_slug, survey_id):
    survey = _survey(survey_id)
    return render(request, "surveys/builder.html", _builder_context(request, survey))


def _questions_fragment(request, survey: Survey) -> HttpResponse:
    return render(request, "surveys/_question_list.html", _builder_context(request, survey))


def _after_change(request, survey: Survey):
    if request.htmx:
        return _questions_fragment(request, survey)
    return redirect("survey_builder", org_slug=request.organization.slug, survey_id=survey.pk)


@require_POST
@access.admin_required
def survey_duplicate(request, org_slug, survey_id):
    copy = services.survey_duplicate(survey=_survey(survey_id), by=request.user)
    messages.success(request, _("Copied. You are editing the copy."))
    return redirect("survey_builder", org_slug=org_slug, survey_id=copy.pk)


@access.admin_required
def survey_settings(request, org_slug, survey_id):
    survey = _survey(survey_id)
    form = SurveySettingsForm.for_survey(survey, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.survey_settings_update(survey=survey, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)
    return render(request, "surveys/settings.html", {"survey": survey, "form": form})


def survey_texts(request, org_slug, survey_id):
    """Every text side by side: the default language beside the one being translated."""
    survey = _survey(survey_id)
    language = request.GET.get("lang") or request.POST.get("lang") or survey.default_language
    if language not in survey.all_languages:
        language = survey.default_language
    can_edit = access.may_administer(access.actor_of(request))
    slots = survey_text_slots(survey=survey)
    form = TextsForm(request.POST if request.method == "POST" and can_edit else None, slots=slots,
                     language=language, default_language=survey.default_language)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only admins edit surveys.")
        if form.is_valid():
            services.texts_update(survey=survey, language=language, values=form.cleaned_data, by=request.user)
            messages.success(request, _("Texts saved in %(language)s.") % {"language": LANGUAGE_NAMES[language]})
            return redirect(f"{request.path}?lang={language}")
    missing = {code: 0 for code in survey.all_languages}
    for slot in slots:
        original = slot.get(survey.default_language)
        for code in survey.all_languages[1:]:
            if original and not slot.get(code):
                missing[code] += 1
    return render(request, "surveys/texts.html", {
        "survey": survey, "form": form, "language": language, "can_edit": can_edit, "missing": missing,
        "language_names": LANGUAGE_NAMES, "is_default": language == survey.default_language,
    })


@require_POST
@access.admin_required
def survey_publish(request, org_slug, survey_id):
    survey = _survey(survey_id)
    try:
        version = services.survey_publish(survey=survey, by=request.user)
    except services.PublishRefused as refused:
        context = _builder_context(request, survey, publish_failed=True)
        context["refused"] = refused.problems
        return render(request, "surveys/builder.html", context, status=400)
    messages.success(request, _("Published version %(n)d. Respondents now see it.") % {"n": version.number})
    return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)


@require_POST
@access.admin_required
def survey_status(request, org_slug, survey_id):
    survey = _survey(survey_id)
    action = request.POST.get("action", "")
    if action not in ("pause", "resume", "close", "archive", "unarchive"):
        messages.error(request, _("Unknown action."))
    else:
        try:
            services.survey_transition(survey=survey, action=action, by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)


@require_POST
@access.admin_required
def question_add(request, org_slug, survey_id):
    survey = _survey(survey_id)
    type_ = request.POST.get("type", "")
    try:
        if type_ == "source":
            services.question_add_source(survey=survey, by=request.user)
        elif type_ in QuestionType.values:
            services.question_add(survey=survey, type_=type_, by=request.user)
        else:
            raise ValidationError(_("Choose a question type."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return _after_change(request, survey)


def question_edit(request, org_slug, survey_id, question_id):
    question = _question(survey_id, question_id)
    survey = question.survey
    if request.method == "POST" or request.GET.get("edit"):
        if not access.may_administer(access.actor_of(request)):
            raise PermissionDenied("Only admins edit surveys.")
    form = QuestionForm(request.POST or None, question=question, language=survey.default_language)
    if request.method == "POST" and form.is_valid():
        services.question_update(question=question, by=request.user, language=survey.default_language,
                                 texts=form.texts(), **form.flags())
        return _after_change(request, survey)
    context = {"survey": survey, "q": question, "form": form, "choice_form": ChoiceAddForm(),
               "can_edit": access.may_administer(access.actor_of(request))}
    if request.htmx:
        return render(request, "surveys/_question_form.html", context)
    return render(request, "surveys/question_edit.html", context)


@require_POST
@access.admin_required
def question_delete(request, org_slug, survey_id, question_id):
    question = _question(survey_id, question_id)
    try:
        services.question_delete(question=question, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return _after_change(request, question.survey)


@require_POST
@access.admin_required
def question_move(request, org_slug, survey_id, question_id):
    question = _question(survey_id, question_id)
    services.question_move(question=question, direction="up" if request.POST.get("direction") == "up" else "down",
                           by=request.user)
    return _after_change(request, question.survey)


@require_POST
@access.admin_required
def choice_add(request, org_slug, survey_id, question_id):
    question = _question(survey_id, question_id)
    form = ChoiceAddForm(request.POST)
    if form.is_valid():
        services.choice_add(question=question, label=form.cleaned_data["label"],
                            language=question.survey.default_language, by=request.user)
    return _after_change(request, question.survey)


@require_POST
@access.admin_required
def choice_delete(request, org_slug, survey_id, question_id, choice_id):
    choice = get_object_or_404(Choice, pk=choice_id, question_id=question_id, question__survey_id=survey_id)
    services.choice_delete(choice=choice, by=request.user)
    return _after_change(request, choice.question.survey)


@require_POST
@access.admin_required
def review_link_add(request, org_slug, survey_id):
    survey = _survey(survey_id)
    form = ReviewLinkForm(request.POST)
    if form.is_valid():
        services.review_link_add(survey=survey, site=form.cleaned_data["site"], url=form.cleaned_data["url"],
                                 label=form.cleaned_data["label"], by=request.user)
        messages.success(request, _("Link added. It is offered to every respondent."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)


@require_POST
@access.admin_required
def review_link_delete(request, org_slug, survey_id, reviewlink_id):
    link = get_object_or_404(ReviewLink, pk=reviewlink_id, survey_id=survey_id)
    services.review_link_delete(link=link, by=request.user)
    return redirect("survey_builder", org_slug=org_slug, survey_id=survey_id)


def survey_preview(request, org_slug, survey_id):
    survey = _survey(survey_id)
    language = request.GET.get("lang", survey.default_language)
    if language not in survey.all_languages:
        language = survey.default_language
    category = request.GET.get("category", "detractor")
    device = request.GET.get("device", "phone")
    return render(request, "surveys/preview.html", {
        "survey": survey, "language": language, "category": category if category in CATEGORIES else "detractor",
        "device": device if device in ("phone", "desktop") else "phone", "categories": CATEGORIES,
        "language_names": LANGUAGE_NAMES,
    })


SAMPLE_SCORE = {"promoter": 10, "passive": 8, "detractor": 3}


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def survey_preview_frame(request, org_slug, survey_id):
    """The respondent page itself, from the draft, as a respondent in `lang` with a score in
    `category` would see it. Answers are not saved."""
    survey = _survey(survey_id)
    category = request.GET.get("category", "detractor")
    category = category if category in CATEGORIES else "detractor"
    definition = services.survey_definition(survey=survey)
    language = request.GET.get("lang", survey.default_language)
    shown = survey_shown(definition=definition, language=language, category=category)
    page = "respondent/thank_you.html" if request.GET.get("page") == "thanks" else "respondent/survey_page.html"
    with translation.override(shown.language):
        context = {
            "shown": shown, "preview": True, "score": SAMPLE_SCORE[category], "form_action": "",
            "language_choices": [(c, LANGUAGE_NAMES[c]) for c in shown.languages],
            "lang_query_prefix": f"category={category}&page={request.GET.get('page', '')}&",
            **respondent_branding(organization=request.organization),
        }
        response = render(request, page, context)
    return response


@require_POST
@access.admin_required
def survey_public_link(request, org_slug, survey_id):
    survey = _survey(survey_id)
    services.survey_public_link_set(survey=survey, enabled=request.POST.get("enabled") == "on",
                                    ask_department=request.POST.get("ask_department") == "on",
                                    ask_employee=request.POST.get("ask_employee") == "on", by=request.user)
    return redirect("survey_builder", org_slug=org_slug, survey_id=survey.pk)


def survey_qr(request, org_slug, survey_id, fmt):
    """The public link as a QR code (PNG for print shops and receipts, SVG for designers)."""
    survey = _survey(survey_id)
    if not survey.public_token:
        raise Http404("The survey has no public link.")
    url = public_url(request, survey, channel="qr")
    buffer = io.BytesIO()
    if fmt == "svg":
        qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2).save(buffer)
        content_type = "image/svg+xml"
    else:
        qrcode.make(url, box_size=12, border=2).save(buffer, format="PNG")
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}-qr.{fmt}"'
    return response


def public_url(request, survey: Survey, channel: str = "") -> str:
    url = settings.SITE_URL.rstrip("/") + f"/s/{survey.public_token}/"
    return url + (f"?c={channel}" if channel else "")
