"""Reads for responses: the answers list, read through `organizations.access` — a manager's
departments, never an employee (anonymous) answer one by one."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet

from nps_platform.parsing import parse_datetime, parse_id
from organizations import access
from organizations.access import Actor

from .models import Response

FILTER_KEYS = ("survey", "category", "channel", "q")
# The list counts and numbers pages up to this many answers; further back it seeks from the
# last answer shown (`?before=<cursor>`), so a far page costs what the first does (issue 16).
COUNT_CAP = 2_000  # as the comment explorer's LIMIT: a count that walks at most this many rows


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


def response_cursor(response: Response) -> str:
    """Where the list goes on after `response` (newest first): its time and id."""
    return f"{response.created_at.isoformat()}_{response.pk}"


_OFFSET = re.compile(r"[+-]\d\d:\d\d$")


def response_older(qs: QuerySet[Response], cursor: str) -> QuerySet[Response] | None:
    """The answers of `qs` after `cursor` in its order (older, or as old with a smaller id), a
    keyset seek on (created_at, id); None for a cursor that is not one."""
    at_text, _, pk_text = str(cursor).rpartition("_")
    at, pk = parse_datetime(at_text), parse_id(pk_text)
    if at is None or pk is None or not _OFFSET.search(at_text):  # ours always carry their offset
        return None
    # the bound alone first, so the planner starts the time index's walk at the cursor
    return qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(pk__lt=pk))
