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
and the analysis do.

Saved segments have rows of their own (`SegmentSentimentRollup`, `SegmentThemeRollup`: the same
counts over the segment's contacts' answers), built whole by `segment_comment_rollups_build` and
recounted per slice with the organization's rows, for every segment that has a
`SegmentCommentRollupState`. Their membership is the dashboards' business: a change that may move
contacts in or out raises `dashboards.SegmentRollupState.wanted` in its own transaction, and the
segment's comment rows are current only while they were built for that number (and for the
segment's filters) — else the pages count the segment's answers in SQL and a build is queued (the
drivers and why pages build rows that were never built on their first view, and read them). A
slice's recount writes every segment's rows with two INSERT … SELECT, whatever their number.
PostgreSQL only, like the dashboards' segment rollups."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.models import Segment
from contacts.selectors import segments_members_sql
from dashboards.models import SegmentRollupState
from dashboards.rollups import day_bounds
from nps_platform.celery import task_enqueue
from nps_platform.tenancy import tenant_context
from organizations.models import Organization
from responses.models import Response

from .models import (
    CommentAnalysis,
    CommentTheme,
    SegmentCommentRollupState,
    SegmentSentimentRollup,
    SegmentThemeRollup,
    SentimentRollup,
    ThemeRollup,
)

BATCH = 5000
SEGMENT_BUILD_TASK = "insights.segment_comment_rollups_build"
ASKED_AGAIN_AFTER = 600  # a page that finds a segment's comment rows behind queues a build at most this often


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
                         sentiment=sentiment, n=n)
         for (s, d, department, c, sentiment), n in sentiments.items()], batch_size=BATCH)
    ThemeRollup.objects.bulk_create(
        [ThemeRollup(organization=organization, survey_id=s, day=d, department_id=department, theme_id=theme,
                     category=c, n=n)
         for (s, d, department, theme, c), n in themes.items()], batch_size=BATCH)
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


def _segment_locks(segment_ids: list[int], *, shared: bool) -> None:
    """A segment's build holds its lock alone, slice recounts share it: a recount never
    interleaves with a build's DELETE and INSERT of the same rows."""
    if not segment_ids or connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext('insights-segment-rollup:' || s)) "  # noqa: S608 - one of two
                       "FROM unnest(%s::bigint[]) AS s", [sorted(segment_ids)])


def _segments_kept() -> dict[int, dict]:
    """{segment: its filters} of the segments whose comment rows are kept, each locked for a
    slice recount (read after the locks, so a build just finished is seen)."""
    if connection.vendor != "postgresql":
        return {}
    segment_ids = sorted(SegmentCommentRollupState.objects.values_list("segment_id", flat=True))
    _segment_locks(segment_ids, shared=True)
    return dict(Segment.objects.filter(pk__in=segment_ids).values_list("pk", "filters")) if segment_ids else {}


def _segment_insert(organization: Organization, segments: dict[int, dict], survey_id: int | None = None,
                    day: dt.date | None = None) -> int:
    """The segments' comment rows (of one slice, or of every day) by two INSERT … SELECT … GROUP
    BY GROUPING SETS over their members' commented answers — the counts `_counts` makes for the
    organization, each answer organization-wide (department NULL) and in its department's row."""
    where, where_params = "", []
    among = Response.objects.exclude(comment="").exclude(contact=None)
    if survey_id is not None:
        start, end = day_bounds(day, zoneinfo.ZoneInfo(organization.time_zone))
        where, where_params = "AND r.survey_id = %s AND r.created_at >= %s AND r.created_at < %s", [survey_id, start,
                                                                                                   end]
        among = among.filter(survey_id=survey_id, created_at__gte=start, created_at__lt=end)
    members = segments_members_sql(
        segments, Q(pk__in=among.order_by().values("contact_id")) if survey_id is not None else None)
    if members is None:
        return 0
    members_sql, members_params = members
    answers = Response._meta.db_table
    analyses, links = CommentAnalysis._meta.db_table, CommentTheme._meta.db_table
    day_sql = "(r.created_at AT TIME ZONE %s)::date"
    statements = (
        (f"""INSERT INTO {SegmentSentimentRollup._meta.db_table} (organization_id, segment_id, survey_id, day,
                 department_id, category, sentiment, n)
             SELECT %s, segment_id, survey_id, day, department_id, category, sentiment, count(*)
             FROM (SELECT m.segment_id, r.survey_id, {day_sql} AS day, r.department_id, r.category,
                          coalesce(a.sentiment, '') AS sentiment
                   FROM ({members_sql}) AS m
                   JOIN {answers} r ON r.contact_id = m.contact_id
                   LEFT JOIN {analyses} a ON a.response_id = r.id
                   WHERE r.organization_id = %s AND r.comment <> '' {where}) AS commented
             GROUP BY GROUPING SETS ((segment_id, survey_id, day, category, sentiment),
                                     (segment_id, survey_id, day, department_id, category, sentiment))
             HAVING GROUPING(department_id) = 1 OR department_id IS NOT NULL""",  # noqa: S608 - our own tables
         [organization.pk, organization.time_zone, *members_params, organization.pk, *where_params]),
        (f"""INSERT INTO {SegmentThemeRollup._meta.db_table} (organization_id, segment_id, survey_id, day,
                 department_id, theme_id, category, n)
             SELECT %s, segment_id, survey_id, day, department_id, theme_id, category, count(*)
             FROM (SELECT m.segment_id, r.survey_id, {day_sql} AS day, r.department_id, t.theme_id, r.category
                   FROM ({members_sql}) AS m
                   JOIN {answers} r ON r.contact_id = m.contact_id
                   JOIN {analyses} a ON a.response_id = r.id
                   JOIN {links} t ON t.analysis_id = a.id
                   WHERE r.organization_id = %s AND t.organization_id = %s AND r.comment <> '' {where}) AS mentions
             GROUP BY GROUPING SETS ((segment_id, survey_id, day, theme_id, category),
                                     (segment_id, survey_id, day, department_id, theme_id, category))
             HAVING GROUPING(department_id) = 1 OR department_id IS NOT NULL""",  # noqa: S608 - our own tables
         [organization.pk, organization.time_zone, *members_params, organization.pk, organization.pk,
          *where_params]),
    )
    rows = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows += cursor.rowcount
    return rows


@transaction.atomic
def comment_rollup_refresh(*, organization: Organization, survey_id: int, day: dt.date) -> int:
    """Recounts one (survey, day) slice from its answers and their analyses, organization-wide
    and for each kept segment (its members of this moment); returns the rows written. A fixed
    number of statements, whatever the number of segments or the slice's answers: the segments'
    rows are two INSERT … SELECT over every segment's members among the slice's contacts."""
    _lock(organization, survey_id, day)
    segments = _segments_kept()
    start, end = day_bounds(day, zoneinfo.ZoneInfo(organization.time_zone))
    where = {"survey_id": survey_id, "created_at__gte": start, "created_at__lt": end}
    sentiments, themes = _counts(organization, **where)
    # (an answer made near midnight belongs to the day its local time says, as `day_bounds` does)
    SentimentRollup.objects.filter(survey_id=survey_id, day=day).delete()
    ThemeRollup.objects.filter(survey_id=survey_id, day=day).delete()
    rows = _write(organization, sentiments, themes)
    if segments:
        SegmentSentimentRollup.objects.filter(survey_id=survey_id, day=day, segment_id__in=list(segments)).delete()
        SegmentThemeRollup.objects.filter(survey_id=survey_id, day=day, segment_id__in=list(segments)).delete()
        rows += _segment_insert(organization, segments, survey_id, day)
    return rows


@transaction.atomic
def _organization_rebuild(organization: Organization) -> int:
    _lock(organization)
    sentiments, themes = _counts(organization)
    SentimentRollup.objects.all().delete()
    ThemeRollup.objects.all().delete()
    return _write(organization, sentiments, themes)


def comment_rollups_rebuild(*, organization: Organization) -> int:
    """Every slice of the organization, in one pass (one GROUP BY for each table), then each
    segment the dashboards keep."""
    rows = _organization_rebuild(organization)
    if connection.vendor == "postgresql":
        for segment_id in sorted(SegmentRollupState.objects.values_list("segment_id", flat=True)):
            rows += segment_comment_rollups_build(organization=organization, segment_id=segment_id, force=True) or 0
    return rows


def _wanted(segment_id: int) -> int | None:
    """The dashboards' count of the changes that may have moved the segment's members (None: they
    do not keep this segment)."""
    return SegmentRollupState.objects.filter(segment_id=segment_id).values_list("wanted", flat=True).first()


def segment_comment_rollups_build(*, organization: Organization, segment_id: int, force: bool = False) -> int | None:
    """Counts the segment's comment rows whole from its contacts' answers: the rows written, 0
    when they were current already (unless `force`), None without such a segment (or on SQLite)."""
    if connection.vendor != "postgresql" or not Segment.objects.filter(pk=segment_id).exists():
        return None
    # Committed before the count's snapshot: an analysis written during the build finds the state,
    # so its slice's recount counts this segment too (after waiting for the build's lock).
    SegmentCommentRollupState.objects.get_or_create(segment_id=segment_id, defaults={"organization": organization})
    with transaction.atomic():
        _segment_locks([segment_id], shared=False)
        wanted = _wanted(segment_id)  # read before the count's snapshot: a change after it leaves us stale
        state = SegmentCommentRollupState.objects.select_related("segment").get(segment_id=segment_id)
        filters = state.segment.filters
        if not force and wanted is not None and state.built == wanted and state.filters == filters:
            return 0
        SegmentSentimentRollup.objects.filter(segment_id=segment_id).delete()
        SegmentThemeRollup.objects.filter(segment_id=segment_id).delete()
        rows = _segment_insert(organization, {segment_id: filters})
        SegmentCommentRollupState.objects.filter(pk=state.pk).update(built=wanted, filters=filters,
                                                                     built_at=timezone.now())
    return rows


def segment_comment_rollups_current(*, organization: Organization, segment_id: int, build: bool = False) -> bool:
    """Whether a page may read the segment's comment rows: built for the dashboards' latest count
    of its changes and for its filters. When they are behind, a build is queued (once per change,
    at most every ASKED_AGAIN_AFTER seconds). `build`: rows never built (a segment saved before
    they existed, a build that never ran) are built here and now — one INSERT … SELECT over the
    segment's answers, costing this view what a few views' GROUP BY over them would, instead of
    that GROUP BY on every view until a worker builds them; rows that are merely behind are left
    to the build their change queued."""
    if connection.vendor != "postgresql":
        return False
    wanted = _wanted(segment_id)
    if wanted is None:
        return False  # not kept by the dashboards yet (their own first build makes the count)
    state = SegmentCommentRollupState.objects.filter(segment_id=segment_id).values_list("built", "filters").first()
    filters = Segment.objects.filter(pk=segment_id).values_list("filters", flat=True).first()
    if state is not None and state[0] == wanted and state[1] == filters:
        return True
    if filters is None:
        return False
    if cache.add(f"insights-segment-asked:{organization.pk}:{segment_id}:{wanted}", 1, timeout=ASKED_AGAIN_AFTER):
        # (also when built below: should this request be cut short, a worker still builds them;
        # its build then finds them current, after waiting for this one's lock)
        task_enqueue(SEGMENT_BUILD_TASK, organization_id=organization.pk, segment_id=segment_id)
    if build and (state is None or state[0] is None):
        segment_comment_rollups_build(organization=organization, segment_id=segment_id)
        return segment_comment_rollups_current(organization=organization, segment_id=segment_id)
    return False


def segment_builds_queue(*, organization_id: int, segment_ids: list[int]) -> None:
    """After a change that may move contacts in or out: each segment's build queued, the changes
    within SEGMENT_ROLLUP_DELAY seconds sharing one (as the dashboards' builds do)."""
    delay = settings.SEGMENT_ROLLUP_DELAY
    for segment_id in segment_ids:
        kwargs = {"organization_id": organization_id, "segment_id": segment_id}
        if not delay:
            task_enqueue(SEGMENT_BUILD_TASK, **kwargs)
        elif cache.add(f"insights-segment-build-due:{organization_id}:{segment_id}", 1, timeout=delay):
            task_enqueue(SEGMENT_BUILD_TASK, countdown=delay + 1, **kwargs)


def segment_members_changed(sender, organization_id, contact_ids=(), segment_id=None, **kwargs) -> None:
    """`contacts.services.segment_members_changed`, inside the change's transaction: after its
    commit, the segment's (or, for contacts, every kept segment's) comment rows are rebuilt."""
    if connection.vendor != "postgresql":
        return
    if segment_id is not None:
        segment_ids = [segment_id]
    else:
        with tenant_context(Organization.objects.get(pk=organization_id)):
            segment_ids = sorted(SegmentCommentRollupState.objects.values_list("segment_id", flat=True))
    if segment_ids:
        transaction.on_commit(lambda: segment_builds_queue(organization_id=organization_id, segment_ids=segment_ids))
