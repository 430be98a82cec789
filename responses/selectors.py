"""Reads for responses: the admin's list. For an employee (eNPS) survey no person is ever
shown: the response carries none, by construction."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Response

FILTER_KEYS = ("survey", "category", "channel", "q")


def response_list(*, filters: dict) -> QuerySet[Response]:
    qs = Response.objects.select_related("survey", "contact", "department").order_by("-created_at")
    if (survey := filters.get("survey")) and str(survey).isdigit():
        qs = qs.filter(survey_id=survey)
    if category := filters.get("category"):
        qs = qs.filter(category=category)
    if channel := filters.get("channel"):
        qs = qs.filter(channel=channel)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(comment__icontains=q))
    return qs
