"""A response's answers in words: each question after the score with its text and the answer
as a reader sees it (choice labels, "Other: …", CSAT out of 5), in one language, read from
the definition of the version that was answered. Pages, the case page and exports share it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from surveys.models import SurveyVersion
from surveys.texts import resolve

OTHER = "__other__"


@dataclass(frozen=True)
class AnswerItem:
    key: str
    type: str
    question: str
    text: str


def comment_key(definition: dict) -> str | None:
    """The question whose answer is the response's comment (the first open text after the score)."""
    return next((q["key"] for q in definition.get("questions", []) if q.get("type") == "text"), None)


def question_text(question: dict, language: str, default_language: str) -> str:
    return resolve(question.get("texts", {}), language, default_language, "text") or question.get("key", "")


def other_label(question: dict, language: str, default_language: str) -> str:
    label = resolve(question.get("texts", {}), language, default_language, "other_label").rstrip(": ")
    return label or _("Other")


def choice_labels(question: dict, language: str, default_language: str) -> dict[str, str]:
    """Choice key → its label in `language` (the default language's where missing)."""
    labels = {c["key"]: resolve(c.get("texts", {}), language, default_language) or c["key"]
              for c in question.get("choices", [])}
    labels[OTHER] = other_label(question, language, default_language)
    return labels


def answer_text(question: dict, value, language: str, default_language: str) -> str:
    """One answer as text: an open text as given, CSAT as "4 / 5", choices as their labels
    joined with ", " (the respondent's own words after "Other")."""
    if value in (None, "", {}, []):
        return ""
    kind = question.get("type")
    if kind == "csat":
        return f"{value} / 5"
    if isinstance(value, dict):  # single or multiple choice: {"choices": [...], "other": "..."}
        labels = choice_labels(question, language, default_language)
        parts = []
        for key in value.get("choices", []):
            label = labels.get(key, key)
            if key == OTHER and value.get("other"):
                label = f"{label}: {value['other']}"
            parts.append(label)
        return ", ".join(parts)
    return str(value)


def answer_items(*, definition: dict, answers: dict, language: str, skip_comment: bool = True) -> list[AnswerItem]:
    """The answered follow-up questions in the survey's order (the NPS question and, with
    `skip_comment`, the comment's question left out: pages show those already)."""
    if not isinstance(answers, dict) or not answers:
        return []
    default = definition.get("default_language", language)
    skip = comment_key(definition) if skip_comment else None
    items = []
    for question in definition.get("questions", []):
        key = question.get("key")
        if question.get("type") == "nps" or key == skip or key not in answers:
            continue
        text = answer_text(question, answers[key], language, default)
        if text:
            items.append(AnswerItem(key, question["type"], question_text(question, language, default), text))
    return items


def answers_attach(responses: Iterable, *, language: str) -> list:
    """Sets `answer_items` on each response (e.g. a page of a list), reading each answered
    version's definition once; returns them as a list."""
    responses = list(responses)
    versions = {r.version_id for r in responses}
    definitions = dict(SurveyVersion.objects.filter(pk__in=versions).values_list("pk", "definition"))
    for r in responses:
        definition = definitions.get(r.version_id) or {}
        r.answer_items = answer_items(definition=definition, answers=r.answers, language=language)
    return responses
