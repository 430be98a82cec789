"""Keeping the rollups equal to a recount of the raw answers. A change to any answer refreshes
the rollup rows of its survey and day from the raw answers of that slice (one indexed query
over one day), so creating, changing and erasing answers are all the same, safe-to-repeat
operation; `rollups_rebuild` does every slice.

Every key is written twice over: the organization-wide row (department NULL) and the row of the
answer's department, if it has one, so a department restriction reads every breakdown from
rollups (see dashboards.models). The same recount writes the slice's `SegmentRollup` rows for
every saved segment that has them (dashboards.segment_rollups), from the members of that moment."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q
from django.db.models.functions import TruncDate

from contacts.models import Segment
from contacts.selectors import contact_filter, segments_members_sql
from organizations.models import Organization
from responses.models import Response

from .models import SCORE_FIELDS, Rollup, SegmentRollup, SegmentRollupState


def day_bounds(day: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz)


def source_question_keys(definition: dict) -> list[str]:
    return [q["key"] for q in definition.get("questions", []) if q.get("is_source")]


def response_keys(response: Response, source_keys: list[str]) -> list[str]:
    """The breakdown keys one answer counts under."""
    keys = ["all", f"channel:{response.channel}", f"language:{response.language}"]
    if response.employee_id:
        keys.append(f"employee:{response.employee_id}")
    contact = response.contact
    if contact is not None:
        if contact.region:
            keys.append(f"region:{contact.region[:100]}")
        if contact.product:
            keys.append(f"product:{contact.product[:100]}")
    for key in source_keys:
        answer = response.answers.get(key)
        if isinstance(answer, dict):
            for choice in answer.get("choices", []):
                keys.append(f"source:{'other' if choice == '__other__' else choice}")
    return keys


def _comment_of(response: Response) -> bool:
    return bool(response.comment.strip())


class AnyOf(Func):
    """`column = ANY(ids)` with the ids as one array parameter (PostgreSQL): the planner sizes
    it right (a segment of 20 000 contacts is not the ~300 rows it guesses for the contacts'
    filter, which made it a nested loop over every answer of theirs)."""

    output_field = BooleanField()

    def __init__(self, column, ids: list[int]):
        super().__init__(column)
        self.ids = ids

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s::bigint[])", (*params, self.ids)


def segment_locks(segment_ids: list[int], *, shared: bool) -> None:
    """PostgreSQL advisory locks (to the transaction's end) on these segments' rollups: a build
    takes its segment's alone, slice refreshes share them, so a refresh never interleaves with a
    build's DELETE and INSERT of the same rows; no row lock a contact edit would wait behind."""
    if not segment_ids or connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext('segment-rollup:' || s)) "  # noqa: S608 - one of two names
                       "FROM unnest(%s::bigint[]) AS s", [sorted(segment_ids)])


def _segments_counted() -> dict[int, dict]:
    """{segment id: its filters} of the segments whose rollups are kept (they have a state),
    each locked for a slice refresh; read after the locks, so a build just finished is seen."""
    segment_ids = sorted(SegmentRollupState.objects.values_list("segment_id", flat=True))
    segment_locks(segment_ids, shared=True)
    return dict(Segment.objects.filter(pk__in=segment_ids).values_list("pk", "filters")) if segment_ids else {}


@transaction.atomic
def rollup_refresh(*, organization: Organization, survey_id: int, day: dt.date) -> int:
    """Recounts one (survey, day) slice from the raw answers, organization-wide and for each
    segment with rollups; returns the rows written."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    start, end = day_bounds(day, tz)
    segments = _segments_counted()
    responses = (Response.objects.filter(survey_id=survey_id, created_at__gte=start, created_at__lt=end)
                 .select_related("contact", "version"))
    counts: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0] * 12)
    source_cache: dict[int, list[str]] = {}
    by_contact: list[tuple[int, tuple, list[str], int, bool]] = []  # what the segments count
    for response in responses.iterator(chunk_size=2000):
        if response.version_id not in source_cache:
            source_cache[response.version_id] = source_question_keys(response.version.definition)
        comment = _comment_of(response)
        scopes = (None,) if response.department_id is None else (None, response.department_id)
        keys = [key[:120] for key in response_keys(response, source_cache[response.version_id])]
        for key in keys:
            for department_id in scopes:
                row = counts[(department_id, key)]
                row[response.score] += 1
                row[11] += comment
        if segments and response.contact_id is not None:
            by_contact.append((response.contact_id, scopes, keys, response.score, comment))
    Rollup.objects.filter(survey_id=survey_id, day=day).delete()
    Rollup.objects.bulk_create([
        Rollup(organization=organization, survey_id=survey_id, day=day, department_id=department_id, key=key,
               comments=row[11], **dict(zip(SCORE_FIELDS, row[:11], strict=True)))
        for (department_id, key), row in counts.items()
    ])
    return len(counts) + _segment_slices(organization, survey_id, day, segments, by_contact)


def _segment_slices(organization: Organization, survey_id: int, day: dt.date, segments: dict[int, dict],
                    by_contact: list) -> int:
    """The slice's rows for each segment: the answers of the contacts that are its members now.
    Every segment's members among the slice's contacts are one query, the ids as one array
    (PostgreSQL: not a busy day's thousands of IN parameters, nor a query per segment), and only
    the members' answers are gone through, not every answer of the slice once per segment (at 6 000 answers a
    day and 10 segments, half the time of the recount)."""
    if not segments:
        return 0
    answers_of: dict[int, list[tuple]] = defaultdict(list)
    for contact_id, *answer in by_contact:
        answers_of[contact_id].append(answer)
    ids = sorted(answers_of)
    in_slice = AnyOf(F("pk"), ids) if connection.vendor == "postgresql" else Q(pk__in=ids)
    counts: dict[tuple[int, int | None, str], list[int]] = defaultdict(lambda: [0] * 12)
    for segment_id, contact_id in _members_among(segments, in_slice) if answers_of else ():
        for scopes, keys, score, comment in answers_of.get(contact_id, ()):
            for key in keys:
                for department_id in scopes:
                    row = counts[(segment_id, department_id, key)]
                    row[score] += 1
                    row[11] += comment
    SegmentRollup.objects.filter(survey_id=survey_id, day=day, segment_id__in=list(segments)).delete()
    SegmentRollup.objects.bulk_create([
        SegmentRollup(organization=organization, segment_id=segment_id, survey_id=survey_id, day=day,
                      department_id=department_id, key=key, comments=row[11],
                      **dict(zip(SCORE_FIELDS, row[:11], strict=True)))
        for (segment_id, department_id, key), row in counts.items()
    ])
    return len(counts)


def _members_among(segments: dict[int, dict], among) -> list[tuple[int, int]]:
    """(segment, contact) for each segment's members among `among`'s contacts: on PostgreSQL one
    statement for every segment (contacts.selectors.segments_members_sql), not one per segment."""
    if connection.vendor != "postgresql":
        return [(segment_id, contact_id) for segment_id, filters in segments.items()
                for contact_id in contact_filter(filters or {}).filter(among).order_by().values_list("pk", flat=True)]
    members = segments_members_sql(segments, among)
    if members is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*members)
        return cursor.fetchall()


@transaction.atomic
def rollups_rebuild(*, organization: Organization) -> int:
    """Every slice that has answers, and none that has not. One transaction: the old rows are
    deleted and the new ones written before anyone sees either, so a page read meanwhile shows
    the old figures whole (never a dashboard emptied by the DELETE, nor half the slices)."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    slices = set(Response.objects.order_by().annotate(local_day=TruncDate("created_at", tzinfo=tz))
                 .values_list("survey_id", "local_day").distinct())
    Rollup.objects.all().delete()
    SegmentRollup.objects.all().delete()
    return sum(rollup_refresh(organization=organization, survey_id=s, day=d) for s, d in sorted(slices))
