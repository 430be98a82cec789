"""Reads for responses: the answers list, read through `organizations.access` — a manager's
departments, never an employee (anonymous) answer one by one."""

from __future__ import annotations

import datetime as dt

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


def response_api_list(*, actor: Actor, since: dt.datetime | None = None, survey_id: int | None = None,
                      category: str = "", department_id: int | None = None) -> QuerySet[Response]:
    """The API's responses: the rows the responses page shows the same reader (a manager's
    departments, no employee answer), answered since a time, of one survey, category or department."""
    qs = response_list(actor=actor, filters={})
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if survey_id is not None:
        qs = qs.filter(survey_id=survey_id)
    if category in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs
