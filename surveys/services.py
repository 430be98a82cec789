"""Writes for survey design: create (from a template, blank or a copy), edit questions and
texts, publish an immutable version, and move through the lifecycle."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from organizations.models import Organization, User
from organizations.services import audit_record

from . import catalog
from .models import (
    CATEGORIES,
    Choice,
    Question,
    QuestionType,
    ReviewLink,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from .texts import Problem, survey_problems, survey_text_slots


class PublishRefused(ValidationError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([p.message for p in problems])


def _english(text) -> str:
    return catalog.translate_in("en", text)


def _question_texts(languages: list[str], fields: dict) -> tuple[dict, dict]:
    texts = {code: {f: catalog.translate_in(code, t) for f, t in fields.items()} for code in languages}
    return texts, {f: _english(t) for f, t in fields.items()}


def _marked_defaults_for(type_: str) -> dict:
    if type_ == QuestionType.NPS:
        return {"low_label": catalog.NPS_LOW, "high_label": catalog.NPS_HIGH}
    if type_ == QuestionType.CSAT:
        return {"low_label": catalog.CSAT_LOW, "high_label": catalog.CSAT_HIGH}
    return {}


def _unique_key(survey: Survey, base: str, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:32] or "q"
    taken = set(Question.objects.filter(survey=survey).exclude(pk=exclude_pk).values_list("key", flat=True))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def survey_create(*, organization: Organization, template: str, name: str, default_language: str,
                  by: User) -> Survey:
    spec = catalog.TEMPLATES[template]
    languages = [default_language]
    survey = Survey.objects.create(
        organization=organization, name=name, kind=spec["kind"], template=template,
        default_language=default_language, languages=languages, created_by=by,
        thank_you={code: {c: catalog.translate_in(code, catalog.THANK_YOU[c]) for c in CATEGORIES}
                   for code in languages},
        review_invite={code: {c: catalog.translate_in(code, catalog.REVIEW_INVITE[c]) for c in CATEGORIES}
                       for code in languages},
    )
    nps_fields = {"text": catalog.NPS_TEXTS[template], **_marked_defaults_for(QuestionType.NPS)}
    texts, originals = _question_texts(languages, nps_fields)
    Question.objects.create(organization=organization, survey=survey, position=0, type=QuestionType.NPS,
                            key="nps", required=True, texts=texts, template_texts=originals)
    for position, (key, type_, fields) in enumerate(spec["questions"], start=1):
        texts, originals = _question_texts(languages, fields)
        question = Question.objects.create(
            organization=organization, survey=survey, position=position, type=type_, key=key,
            per_category="text_detractor" in fields, is_source=key == "source", allow_other=key == "source",
            texts=texts, template_texts=originals,
        )
        if key == "source":
            for pos, (choice_key, label) in enumerate(catalog.SOURCE_CHOICES):
                Choice.objects.create(organization=organization, question=question, position=pos, key=choice_key,
                                      texts={code: catalog.translate_in(code, label) for code in languages},
                                      template_texts={"": _english(label)})
    audit_record(organization=organization, actor=by, action="survey.created", target=survey,
                 summary=f"Created {name} from the {template} template")
    return survey


@transaction.atomic
def survey_duplicate(*, survey: Survey, by: User) -> Survey:
    copy = Survey.objects.create(
        organization=survey.organization, name=f"{survey.name} (copy)"[:200], kind=survey.kind,
        template=survey.template, default_language=survey.default_language, languages=list(survey.languages),
        company_name=survey.company_name, thank_you=survey.thank_you, review_invite=survey.review_invite,
        created_by=by,
    )
    for question in survey.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        question.pk, question.survey = None, copy
        question.save()
        for choice in choices:
            choice.pk, choice.question = None, question
            choice.save()
    for link in survey.review_links.all():
        link.pk, link.survey = None, copy
        link.save()
    audit_record(organization=survey.organization, actor=by, action="survey.duplicated", target=copy,
                 summary=f"Copied {survey.name}")
    return copy


def _touch(survey: Survey) -> None:
    survey.has_unpublished_changes = True
    survey.save(update_fields=["has_unpublished_changes", "updated_at"])


def _fill_language(survey: Survey, code: str) -> None:
    """A newly enabled language starts from our own translation of every text the admin has
    left as the template wrote it; anything they wrote themselves stays for them to translate."""
    default = survey.default_language
    for question in survey.questions.prefetch_related("choices"):
        texts = question.texts.setdefault(code, {})
        for field, original in question.template_texts.items():
            if texts.get(field):
                continue
            current = question.texts.get(default, {}).get(field, "")
            marked = catalog.catalog_text(original)
            if marked is not None and current == catalog.translate_in(default, marked):
                texts[field] = catalog.translate_in(code, marked)
        question.save(update_fields=["texts"])
        for choice in question.choices.all():
            original = choice.template_texts.get("")
            marked = catalog.catalog_text(original) if original else None
            if not choice.texts.get(code) and marked is not None and \
                    choice.texts.get(default) == catalog.translate_in(default, marked):
                choice.texts[code] = catalog.translate_in(code, marked)
                choice.save(update_fields=["texts"])
    for attr, defaults in (("thank_you", catalog.THANK_YOU), ("review_invite", catalog.REVIEW_INVITE)):
        store = getattr(survey, attr)
        for category in CATEGORIES:
            if store.get(code, {}).get(category):
                continue
            if store.get(default, {}).get(category) == catalog.translate_in(default, defaults[category]):
                store.setdefault(code, {})[category] = catalog.translate_in(code, defaults[category])


@transaction.atomic
def survey_settings_update(*, survey: Survey, by: User, name: str, kind: str, default_language: str,
                           languages: list[str], company_name: str) -> Survey:
    codes = [c for c, _ in settings.LANGUAGES]
    enabled = [c for c in codes if c in set(languages) | {default_language}]
    added = [c for c in enabled if c not in survey.all_languages]
    survey.name, survey.kind, survey.company_name = name, kind, company_name
    survey.default_language, survey.languages = default_language, enabled
    for code in added:
        _fill_language(survey, code)
    survey.has_unpublished_changes = True
    survey.save()
    audit_record(organization=survey.organization, actor=by, action="survey.settings_changed", target=survey,
                 summary=f"{name}: languages {', '.join(enabled)}")
    return survey


@transaction.atomic
def question_add(*, survey: Survey, type_: str, by: User) -> Question:
    if type_ == QuestionType.NPS and Question.objects.filter(survey=survey, type=QuestionType.NPS).exists():
        raise ValidationError("A survey has exactly one NPS question.")
    position = (Question.objects.filter(survey=survey).aggregate(m=Max("position"))["m"] or 0) + 1
    fields = _marked_defaults_for(type_)
    texts, originals = _question_texts(survey.all_languages, fields)
    for code in survey.all_languages:
        texts.setdefault(code, {})["text"] = ""
    question = Question.objects.create(
        organization=survey.organization, survey=survey, position=position, type=type_,
        key=_unique_key(survey, type_.replace("_choice", "")), required=type_ == QuestionType.NPS,
        texts=texts, template_texts=originals,
    )
    _touch(survey)
    return question


@transaction.atomic
def question_add_source(*, survey: Survey, by: User) -> Question:
    """The ready-made "How did you first hear about us?" question."""
    question = question_add(survey=survey, type_=QuestionType.SINGLE, by=by)
    languages = survey.all_languages
    for code in languages:
        question.texts[code] = {"text": catalog.translate_in(code, catalog.SOURCE),
                                "other_label": catalog.translate_in(code, catalog.OTHER_LABEL)}
    question.template_texts = {"text": _english(catalog.SOURCE), "other_label": _english(catalog.OTHER_LABEL)}
    question.key = _unique_key(survey, "source", exclude_pk=question.pk)
    question.is_source = question.allow_other = True
    question.save()
    for pos, (choice_key, label) in enumerate(catalog.SOURCE_CHOICES):
        Choice.objects.create(organization=survey.organization, question=question, position=pos, key=choice_key,
                              texts={code: catalog.translate_in(code, label) for code in languages},
                              template_texts={"": _english(label)})
    return question


@transaction.atomic
def question_update(*, question: Question, by: User, language: str, texts: dict[str, str], **flags) -> Question:
    """Sets the flags and the texts in one language (the builder edits the default language)."""
    if question.type == QuestionType.NPS:
        flags["required"] = True  # the NPS question is always required
    for name, value in flags.items():
        setattr(question, name, value)
    if "key" in flags:
        question.key = _unique_key(question.survey, flags["key"], exclude_pk=question.pk)
    current = question.texts.setdefault(language, {})
    for field, value in texts.items():
        current[field] = value.strip()
    question.save()
    _touch(question.survey)
    return question


@transaction.atomic
def question_delete(*, question: Question, by: User) -> None:
    if question.type == QuestionType.NPS:
        raise ValidationError("The NPS question cannot be deleted: every survey has one.")
    survey = question.survey
    question.delete()
    _touch(survey)


@transaction.atomic
def question_move(*, question: Question, direction: str, by: User) -> None:
    ordered = list(Question.objects.filter(survey=question.survey).select_for_update().order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, q in enumerate(ordered):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])
    _touch(question.survey)


@transaction.atomic
def choice_add(*, question: Question, label: str, language: str, by: User) -> Choice:
    position = (question.choices.aggregate(m=Max("position"))["m"] or 0) + 1
    taken = set(question.choices.values_list("key", flat=True))
    base = slugify(label)[:32] or "option"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    choice = Choice.objects.create(organization=question.organization, question=question, position=position,
                                   key=key, texts={language: label.strip()})
    _touch(question.survey)
    return choice


@transaction.atomic
def choice_delete(*, choice: Choice, by: User) -> None:
    survey = choice.question.survey
    choice.delete()
    _touch(survey)


@transaction.atomic
def texts_update(*, survey: Survey, language: str, values: dict[str, str], by: User) -> int:
    """Sets many texts in one language, keyed by slot path (the translation editor)."""
    changed_owners = {}
    for slot in survey_text_slots(survey=survey):
        if slot.path in values:
            slot.set(language, values[slot.path].strip())
            changed_owners[id(slot.owner)] = slot.owner
    for owner in changed_owners.values():
        owner.save()
    _touch(survey)
    return len(changed_owners)


@transaction.atomic
def review_link_add(*, survey: Survey, site: str, url: str, label: str, by: User) -> ReviewLink:
    position = (survey.review_links.aggregate(m=Max("position"))["m"] or 0) + 1
    link = ReviewLink(organization=survey.organization, survey=survey, site=site, url=url, position=position,
                      texts={survey.default_language: label.strip()})
    link.full_clean(exclude=["organization", "survey"])
    link.save()
    _touch(survey)
    return link


@transaction.atomic
def review_link_delete(*, link: ReviewLink, by: User) -> None:
    survey = link.survey
    link.delete()
    _touch(survey)


def survey_definition(*, survey: Survey) -> dict:
    """The whole survey as respondents will see it, as plain data: what a version freezes."""
    return {
        "survey_id": survey.pk,
        "name": survey.name,
        "kind": survey.kind,
        "anonymous": survey.is_anonymous,
        "default_language": survey.default_language,
        "languages": survey.all_languages,
        "company": survey.company_name or survey.organization.name,
        "questions": [
            {
                "key": q.key, "type": q.type, "required": q.required, "allow_other": q.allow_other,
                "is_source": q.is_source, "per_category": q.per_category, "texts": q.texts,
                "choices": [{"key": c.key, "texts": c.texts} for c in q.choices.all()],
            }
            for q in survey.questions.prefetch_related("choices")
        ],
        "thank_you": survey.thank_you,
        "review_invite": survey.review_invite,
        "review_links": [{"site": link.site, "url": link.url, "texts": link.texts}
                         for link in survey.review_links.all()],
    }


@transaction.atomic
def survey_publish(*, survey: Survey, by: User) -> SurveyVersion:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.archived_at or survey.status == SurveyStatus.CLOSED:
        raise PublishRefused([Problem("status", "A closed or archived survey cannot be published.")])
    problems = survey_problems(survey=survey)
    if problems:
        raise PublishRefused(problems)
    number = (survey.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = SurveyVersion.objects.create(organization=survey.organization, survey=survey, number=number,
                                           definition=survey_definition(survey=survey), published_by=by)
    survey.current_version = version
    survey.has_unpublished_changes = False
    if survey.status in (SurveyStatus.DRAFT,):
        survey.status = SurveyStatus.PUBLISHED
    survey.save(update_fields=["current_version", "has_unpublished_changes", "status", "updated_at"])
    audit_record(organization=survey.organization, actor=by, action="survey.published", target=survey,
                 summary=f"Published {survey.name} version {number}")
    return version


TRANSITIONS = {
    "pause": ({SurveyStatus.PUBLISHED}, SurveyStatus.PAUSED),
    "resume": ({SurveyStatus.PAUSED}, SurveyStatus.PUBLISHED),
    "close": ({SurveyStatus.PUBLISHED, SurveyStatus.PAUSED}, SurveyStatus.CLOSED),
}


@transaction.atomic
def survey_transition(*, survey: Survey, action: str, by: User) -> Survey:
    if action == "archive":
        survey.archived_at = timezone.now()
    elif action == "unarchive":
        survey.archived_at = None
    else:
        allowed_from, to = TRANSITIONS[action]
        if survey.status not in allowed_from:
            raise ValidationError(f"A {survey.get_status_display().lower()} survey cannot be {action}d.")
        survey.status = to
    survey.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(organization=survey.organization, actor=by, action=f"survey.{action}", target=survey,
                 summary=f"{survey.name}: {action}")
    return survey


@transaction.atomic
def survey_public_link_set(*, survey: Survey, enabled: bool, ask_department: bool, by: User,
                           ask_employee: bool = False) -> Survey:
    """Opens or closes the survey's public link; the address stays the same once made, so
    printed QR codes keep working."""
    if enabled and not survey.public_token:
        survey.public_token = f"{survey.organization_id}.{secrets.token_urlsafe(12)}"
    survey.public_enabled, survey.ask_department, survey.ask_employee = enabled, ask_department, ask_employee
    survey.save(update_fields=["public_enabled", "public_token", "ask_department", "ask_employee", "updated_at"])
    audit_record(organization=survey.organization, actor=by, action="survey.public_link", target=survey,
                 summary=f"{survey.name}: public link {'open' if enabled else 'closed'}")
    return survey
