"""Reads for survey design."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.urls import reverse

from organizations.models import Organization

from .models import Survey
from .texts import Problem, survey_problems


def survey_list(*, archived: bool = False) -> QuerySet[Survey]:
    qs = Survey.objects.select_related("current_version").order_by("-created_at")
    return qs.exclude(archived_at=None) if archived else qs.filter(archived_at=None)


def survey_problems_by_question(*, survey: Survey) -> tuple[dict[int, list[Problem]], list[Problem]]:
    """Problems keyed by question id (a choice's problems go to its question), and the rest."""
    choice_to_question = {c.pk: c.question_id for q in survey.questions.prefetch_related("choices")
                          for c in q.choices.all()}
    by_question: dict[int, list[Problem]] = {}
    general: list[Problem] = []
    for problem in survey_problems(survey=survey):
        if m := re.match(r"q(\d+)\.", problem.path):
            by_question.setdefault(int(m.group(1)), []).append(problem)
        elif (m := re.match(r"c(\d+)$", problem.path)) and int(m.group(1)) in choice_to_question:
            by_question.setdefault(choice_to_question[int(m.group(1))], []).append(problem)
        else:
            general.append(problem)
    return by_question, general


def respondent_branding(*, organization: Organization) -> dict:
    return {
        "brand_name": organization.name,
        "brand_logo_url": organization.logo.url if organization.logo else "",
        "brand_css_url": reverse("brand_css", kwargs={"organization_id": organization.pk})
        + f"?v={organization.brand_color.lstrip('#')}",
    }
