"""Reads for responses: the admin's list. For an employee (eNPS) survey no person is ever
shown: the response carries none, by construction."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from organizations.selectors import managed_departments
from surveys.models import SurveyKind

from .models import Response

FILTER_KEYS = ("survey", "category", "channel", "q")


def small_anonymous_surveys(*, threshold: int) -> set[int]:
    """Employee surveys with fewer answers than the anonymity threshold: their comments stay
    hidden, since a handful of answers can point to a person."""
    return set(Response.objects.filter(survey__kind=SurveyKind.ENPS).values("survey_id")
               .annotate(n=Count("pk")).filter(n__lt=threshold).values_list("survey_id", flat=True))


def response_list(*, filters: dict, membership=None) -> QuerySet[Response]:
    qs = Response.objects.select_related("survey", "contact", "department").order_by("-created_at")
    if (departments := managed_departments(membership)) is not None:
        qs = qs.filter(department_id__in=departments)
    if (survey := filters.get("survey")) and str(survey).isdigit():
        qs = qs.filter(survey_id=survey)
    if category := filters.get("category"):
        qs = qs.filter(category=category)
    if channel := filters.get("channel"):
        qs = qs.filter(channel=channel)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(comment__icontains=q))
    return qs
