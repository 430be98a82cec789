"""The comment figures as rollups, kept equal to a recount of the answers and their analyses:
per (survey, day) slice the commented answers by department scope, category and sentiment
(`SentimentRollup`) and the theme mentions by department scope, theme and category
(`ThemeRollup`). A recount reads one slice's answers (one day of one survey) and replaces its
rows, so writing, redoing and removing analyses — and an answer's new score, department or
emptied comment — are all the same, safe-to-repeat operation; `comment_rollups_rebuild` does
every slice. The day is the answer's day in the organization's time zone, as in
`dashboards.rollups`, and the department scope is the same (NULL: every answer; a department:
its own answers), so the figures follow the dashboard's filters and scope exactly.

A comment counts once it is not empty (the engine reads it as it is), as the comment explorer
and the analysis do."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from dashboards.rollups import day_bounds
from organizations.models import Organization
from responses.models import Response

from .models import CommentTheme, SentimentRollup, ThemeRollup

BATCH = 5000


def _counts(organization: Organization, **where) -> tuple[dict, dict]:
    """({(survey, day, department, category, sentiment): n}, {(survey, day, department, theme,
    category): n}) of the comments of the answers `where` selects (Response lookups), each answer
    in the organization-wide row (department None) and in its department's."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    sentiments: dict[tuple, int] = defaultdict(int)
    for row in (Response.objects.filter(**where).exclude(comment="").order_by()
                .annotate(local_day=TruncDate("created_at", tzinfo=tz))
                .values("survey_id", "local_day", "department_id", "category", "comment_analyses__sentiment")
                .annotate(n=Count("pk"))):
        for department_id in {None, row["department_id"]}:
            key = (row["survey_id"], row["local_day"], department_id, row["category"],
                   row["comment_analyses__sentiment"] or "")
            sentiments[key] += row["n"]
    themes: dict[tuple, int] = defaultdict(int)
    # the answers' conditions on the join itself: the planner starts from the slice's answers
    links = (CommentTheme.objects.filter(**{f"analysis__response__{k}": v for k, v in where.items()})
             .exclude(analysis__response__comment="").order_by()
             .annotate(local_day=TruncDate("analysis__response__created_at", tzinfo=tz))
             .values("analysis__response__survey_id", "local_day", "analysis__response__department_id", "theme_id",
                     "analysis__response__category")
             .annotate(n=Count("pk")))  # an analysis names a theme once
    for row in links:
        for department_id in {None, row["analysis__response__department_id"]}:
            key = (row["analysis__response__survey_id"], row["local_day"], department_id, row["theme_id"],
                   row["analysis__response__category"])
            themes[key] += row["n"]
    return sentiments, themes


def _write(organization: Organization, sentiments: dict, themes: dict) -> int:
    SentimentRollup.objects.bulk_create(
        [SentimentRollup(organization=organization, survey_id=s, day=d, department_id=department, category=c,
                         sentiment=sentiment, n=n) for (s, d, department, c, sentiment), n in sentiments.items()],
        batch_size=BATCH)
    ThemeRollup.objects.bulk_create(
        [ThemeRollup(organization=organization, survey_id=s, day=d, department_id=department, theme_id=theme,
                     category=c, n=n) for (s, d, department, theme, c), n in themes.items()],
        batch_size=BATCH)
    return len(sentiments) + len(themes)


def _lock(organization: Organization, survey_id: int | None = None, day: dt.date | None = None) -> None:
    """Two recounts of one slice (or a rebuild and a recount) take turns: the second reads after
    the first has committed and replaces its rows rather than colliding with them. Recounts of
    different slices run side by side (they share the organization's lock; a rebuild holds it
    alone)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        whole = f"insights-rollup:{organization.pk}"
        if survey_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [whole])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s)), pg_advisory_xact_lock(hashtext(%s))",
                           [whole, f"{whole}:{survey_id}:{day}"])


@transaction.atomic
def comment_rollup_refresh(*, organization: Organization, survey_id: int, day: dt.date) -> int:
    """Recounts one (survey, day) slice from its answers and their analyses; returns the rows
    written."""
    _lock(organization, survey_id, day)
    start, end = day_bounds(day, zoneinfo.ZoneInfo(organization.time_zone))
    sentiments, themes = _counts(organization, survey_id=survey_id, created_at__gte=start, created_at__lt=end)
    # (an answer made near midnight belongs to the day its local time says, as `day_bounds` does)
    SentimentRollup.objects.filter(survey_id=survey_id, day=day).delete()
    ThemeRollup.objects.filter(survey_id=survey_id, day=day).delete()
    return _write(organization, sentiments, themes)


@transaction.atomic
def comment_rollups_rebuild(*, organization: Organization) -> int:
    """Every slice of the organization, in one pass (one GROUP BY for each table)."""
    _lock(organization)
    sentiments, themes = _counts(organization)
    SentimentRollup.objects.all().delete()
    ThemeRollup.objects.all().delete()
    return _write(organization, sentiments, themes)

