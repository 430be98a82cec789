"""Which texts a survey shows respondents, per language: the list the translation editor walks,
the publishing check reads, and the respondent page resolves (with fallback, never a marker)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import CATEGORIES, Question, QuestionType, Survey

FIELD_LABELS = {
    "text": _("question"),
    "help": _("help text"),
    "low_label": _("label at the low end"),
    "high_label": _("label at the high end"),
    "text_promoter": _("wording for promoters"),
    "text_passive": _("wording for passives"),
    "text_detractor": _("wording for detractors"),
    "other_label": _("“Other” label"),
}
CATEGORY_LABELS = {"promoter": _("promoters"), "passive": _("passives"), "detractor": _("detractors")}


def question_fields(question: Question) -> list[tuple[str, bool]]:
    """(field, required) pairs that this question's settings call for."""
    fields = [("text", True), ("help", False)]
    if question.type in (QuestionType.NPS, QuestionType.CSAT):
        fields += [("low_label", True), ("high_label", True)]
    if question.type == QuestionType.TEXT and question.per_category:
        fields += [(f"text_{c}", True) for c in CATEGORIES]
    if question.type in (QuestionType.SINGLE, QuestionType.MULTI) and question.allow_other:
        fields.append(("other_label", True))
    return fields


@dataclass
class TextSlot:
    """One translatable text: where it lives, what to call it, its values by language."""

    path: str
    owner: object  # the Question, Choice, ReviewLink or Survey holding it
    field: str | None  # key inside owner.texts (None: owner.texts is {lang: str})
    label: str
    required: bool
    group: str  # a heading: the question's text, or "Thank-you page"

    @property
    def values(self) -> dict[str, str]:
        store = _store(self.owner, self.field, self.path)
        return store

    def get(self, language: str) -> str:
        return (self.values.get(language) or "").strip()

    def set(self, language: str, value: str) -> None:
        _set(self.owner, self.field, self.path, language, value)


def _store(owner, field, path) -> dict[str, str]:
    if isinstance(owner, Survey):
        attr, category = path.split(".")
        return {lang: v.get(category, "") for lang, v in getattr(owner, attr).items()}
    if field is None:
        return owner.texts
    return {lang: v.get(field, "") for lang, v in owner.texts.items()}


def _set(owner, field, path, language, value) -> None:
    if isinstance(owner, Survey):
        attr, category = path.split(".")
        getattr(owner, attr).setdefault(language, {})[category] = value
    elif field is None:
        owner.texts[language] = value
    else:
        owner.texts.setdefault(language, {})[field] = value


def survey_text_slots(*, survey: Survey, questions=None, links=None) -> list[TextSlot]:
    questions = list(questions if questions is not None else survey.questions.prefetch_related("choices"))
    links = list(links if links is not None else survey.review_links.all())
    slots: list[TextSlot] = []
    for number, question in enumerate(questions, start=1):
        group = f"{number}. " + (question.texts.get(survey.default_language, {}).get("text") or question.key)
        for field, required in question_fields(question):
            slots.append(TextSlot(f"q{question.pk}.{field}", question, field, str(FIELD_LABELS[field]),
                                  required, group))
        if question.type in (QuestionType.SINGLE, QuestionType.MULTI):
            for choice in question.choices.all():
                slots.append(TextSlot(f"c{choice.pk}", choice, None, str(_("option")), True, group))
    thank_you_group = str(_("Thank-you page"))
    for category in CATEGORIES:
        slots.append(TextSlot(f"thank_you.{category}", survey, None,
                              str(_("thank-you text for %(c)s") % {"c": CATEGORY_LABELS[category]}),
                              True, thank_you_group))
    for category in CATEGORIES:
        slots.append(TextSlot(f"review_invite.{category}", survey, None,
                              str(_("invitation to review, for %(c)s") % {"c": CATEGORY_LABELS[category]}),
                              bool(links), thank_you_group))
    for link in links:
        slots.append(TextSlot(f"link{link.pk}", link, None, str(_("link label")) + f" ({link.get_site_display()})",
                              True, thank_you_group))
    return slots


@dataclass(frozen=True)
class Problem:
    path: str  # a slot path, or a field name such as "questions"
    message: str


def survey_problems(*, survey: Survey) -> list[Problem]:
    """Everything that stops publishing, in plain words."""
    language_names = dict(settings.LANGUAGES)
    questions = list(survey.questions.prefetch_related("choices"))
    links = list(survey.review_links.all())
    problems: list[Problem] = []
    nps = [q for q in questions if q.type == QuestionType.NPS]
    if len(nps) != 1:
        problems.append(Problem("questions", str(_("A survey needs exactly one NPS 0–10 question; it has %(n)d.")
                                                 % {"n": len(nps)})))
    for question in questions:
        if question.type in (QuestionType.SINGLE, QuestionType.MULTI) and not question.choices.all():
            problems.append(Problem(f"q{question.pk}.text", str(_("This question has no options."))))
    for slot in survey_text_slots(survey=survey, questions=questions, links=links):
        default_value = slot.get(survey.default_language)
        if not slot.required and not default_value:
            continue
        if not default_value:
            problems.append(Problem(slot.path, str(_("%(group)s: the %(label)s is empty.")
                                                   % {"group": slot.group, "label": slot.label})))
            continue
        for code in survey.all_languages[1:]:
            if not slot.get(code):
                problems.append(Problem(slot.path, str(
                    _("%(language)s translation missing — %(group)s: the %(label)s.")
                    % {"language": language_names.get(code, code), "group": slot.group, "label": slot.label})))
    return problems


def resolve(texts: dict, language: str, default_language: str, field: str | None = None) -> str:
    """The text in `language`, else in the default language: respondents never see a gap."""
    def pick(code):
        value = texts.get(code)
        if field is not None:
            value = (value or {}).get(field)
        return (value or "").strip()

    return pick(language) or pick(default_language)

