"""Reads for responses: the answers list, read through `organizations.access` — a manager's
departments, never an employee (anonymous) answer one by one."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organizations import access
from organizations.access import Actor

from .models import Response

FILTER_KEYS = ("survey", "category", "channel", "q")


def response_list(*, actor: Actor, filters: dict) -> QuerySet[Response]:
    qs = access.answer_rows(actor, Response.objects.select_related("survey", "contact", "department")) \
        .order_by("-created_at", "-pk")
    survey = str(filters.get("survey") or "")
    if survey.isascii() and survey.isdigit() and len(survey) < 19:
        qs = qs.filter(survey_id=survey)
    if (category := filters.get("category")) in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    if channel := filters.get("channel"):
        qs = qs.filter(channel=str(channel)[:8])
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(comment__icontains=q))
    return qs
