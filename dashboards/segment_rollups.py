"""Segment rollups: the rollup rows of each saved segment's answers (`SegmentRollup`), so a
segment's dashboard reads rollups like every other view instead of scanning its answers.

- **Built** whole for one segment by one `INSERT … SELECT … GROUP BY GROUPING SETS` over its
  contacts' answers (`segment_rollups_build`, the task `dashboards.segment_rollups_build`): when
  the segment is saved, when its members may have changed, when a dashboard asks for a segment
  that has none yet, and by `manage.py rebuild_rollups`. Safe to run twice: a build that finds
  the rows current does nothing.
- **Refreshed** per survey-day slice by `dashboards.rollups.rollup_refresh`, the same recount
  that keeps `Rollup` (for every segment that has a state row, current or not).
- **Stale** from the moment a change may move contacts in or out of a segment (a contact edited,
  imported, deleted or suppressed — `contacts.services.segment_members_changed`, sent inside that
  change's transaction): `SegmentRollupState.wanted` goes up in the same transaction, so no reader
  sees the old rows after the change commits; the dashboard counts the raw answers in SQL until
  the build queued after commit has caught up.

Builds and slice refreshes of one segment are serialised by a PostgreSQL advisory lock (a build
takes it alone, refreshes share it), never by a row lock a contact edit would wait behind. A
build reads `wanted` before its count's snapshot and records that number, so a change committed
during the build leaves the rows stale (and its own build queued). PostgreSQL only: on the
embedded mode's SQLite no segment rollups are built and a segment is counted from the answers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from contacts.models import Contact, Segment
from contacts.selectors import contact_filter
from nps_platform.celery import task_enqueue
from nps_platform.tenancy import current_organization
from organizations.models import Organization
from responses.models import Response
from surveys.models import SurveyVersion

from .models import SCORE_FIELDS, SegmentRollup, SegmentRollupState
from .rollups import segment_locks, source_question_keys

log = logging.getLogger(__name__)

BUILD_TASK = "dashboards.segment_rollups_build"
# A dashboard that finds a saved segment without rollups queues their build at most this often.
ASKED_AGAIN_AFTER = 600


def _due_marker(organization_id: int, segment_id: int) -> str:
    return f"segment-rollup-due:{organization_id}:{segment_id}"


def build_queue(*, organization_id: int, segment_id: int) -> None:
    """Queues the segment's build. With SEGMENT_ROLLUP_DELAY > 0 the changes within that many
    seconds share one build (an import's batches, an edit after an edit): the first sets a marker
    living that long and queues the build to run after it has expired. Called after commit, so
    every change that found the marker is committed before the build reads `wanted`."""
    delay = settings.SEGMENT_ROLLUP_DELAY
    kwargs = {"organization_id": organization_id, "segment_id": segment_id}
    if not delay:
        task_enqueue(BUILD_TASK, **kwargs)
    elif cache.add(_due_marker(organization_id, segment_id), 1, timeout=delay):
        task_enqueue(BUILD_TASK, countdown=delay + 1, **kwargs)


def segment_rollups_stale(*, organization: Organization, contact_ids: list[int], segment_id: int | None) -> None:
    """Inside the transaction of a change that may move contacts in or out of segments: a saved
    segment (`segment_id`; its state is made on its first save) or contacts edited, imported,
    deleted, suppressed (`contact_ids`: every segment of the organization, unless none of them
    has an answer — a segment's rollups count answers only). The builds go after commit."""
    if connection.vendor != "postgresql":
        return
    if segment_id is not None:
        state, created = SegmentRollupState.objects.get_or_create(segment_id=segment_id,
                                                                  defaults={"organization": organization})
        if not created:
            SegmentRollupState.objects.filter(pk=state.pk).update(wanted=F("wanted") + 1)
        segment_ids = [segment_id]
    else:
        if not contact_ids or not Response.objects.filter(contact_id__in=contact_ids).exists():
            return
        states = SegmentRollupState.objects.all()
        segment_ids = sorted(states.values_list("segment_id", flat=True))
        if not segment_ids:
            return
        states.filter(segment_id__in=segment_ids).update(wanted=F("wanted") + 1)
    transaction.on_commit(lambda: [build_queue(organization_id=organization.pk, segment_id=s) for s in segment_ids])


def segment_rollups_current(segment_id: int) -> bool:
    """Whether a dashboard may read the segment's rollups: built for its current filters and no
    change since. A saved segment with none yet (saved before segment rollups existed) gets its
    build queued, at most every ASKED_AGAIN_AFTER seconds."""
    if connection.vendor != "postgresql":
        return False
    state = SegmentRollupState.objects.filter(segment_id=segment_id).select_related("segment").first()
    if state is not None:
        return state.current
    organization_id = current_organization().pk
    if Segment.objects.filter(pk=segment_id).exists():
        try:
            if cache.add(f"segment-rollup-asked:{organization_id}:{segment_id}", 1, timeout=ASKED_AGAIN_AFTER):
                task_enqueue(BUILD_TASK, organization_id=organization_id, segment_id=segment_id)
        except Exception:  # the page reads the raw answers anyway: a broker or cache away costs it nothing
            log.exception("could not queue the rollups of segment %s", segment_id)
    return False


def _members_sql(filters: dict) -> tuple[str, tuple] | None:
    """The segment's contact ids as SQL (the contact list's own filter), or None: no one."""
    try:
        return contact_filter(filters).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None


def _source_pairs() -> tuple[list[int], list[str]]:
    """(version ids, question keys): each source question of each version, as the recount reads them."""
    pairs = [(pk, key) for pk, definition in SurveyVersion.objects.values_list("pk", "definition")
             for key in source_question_keys(definition or {})]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _insert_sql(members: str) -> str:
    """One INSERT … SELECT … GROUP BY GROUPING SETS: every answer of the segment's contacts under
    each of its keys (the keys `rollups.response_keys` gives, in SQL), organization-wide
    (department NULL) and in its department's row."""
    counts = ", ".join(f"count(*) FILTER (WHERE score = {i})" for i in range(11))
    return f"""
        INSERT INTO {SegmentRollup._meta.db_table} (organization_id, segment_id, survey_id, day, department_id,
            key, {", ".join(SCORE_FIELDS)}, comments)
        SELECT %s, %s, survey_id, day, department_id, key, {counts}, count(*) FILTER (WHERE has_comment)
        FROM (SELECT r.survey_id, (r.created_at AT TIME ZONE %s)::date AS day, r.department_id,
                     left(k.key, 120) AS key, r.score, btrim(r.comment, E' \\t\\n\\r\\f\\v') <> '' AS has_comment
              FROM {Response._meta.db_table} r
              JOIN {Contact._meta.db_table} c ON c.id = r.contact_id
              CROSS JOIN LATERAL (
                  SELECT 'all'
                  UNION ALL SELECT 'channel:' || r.channel
                  UNION ALL SELECT 'language:' || r.language
                  UNION ALL SELECT 'employee:' || r.employee_id WHERE r.employee_id IS NOT NULL
                  UNION ALL SELECT 'region:' || left(c.region, 100) WHERE c.region <> ''
                  UNION ALL SELECT 'product:' || left(c.product, 100) WHERE c.product <> ''
                  UNION ALL SELECT 'source:' || CASE WHEN choice = '__other__' THEN 'other' ELSE choice END
                      FROM unnest(%s::bigint[], %s::text[]) AS q(version_id, question),
                           jsonb_array_elements_text(
                               CASE WHEN jsonb_typeof(r.answers -> q.question -> 'choices') = 'array'
                                    THEN r.answers -> q.question -> 'choices' ELSE '[]'::jsonb END) AS choice
                      WHERE q.version_id = r.version_id AND choice IS NOT NULL
              ) AS k(key)
              WHERE r.organization_id = %s AND r.contact_id IN ({members})) AS answers
        GROUP BY GROUPING SETS ((survey_id, day, key), (survey_id, day, key, department_id))
        HAVING GROUPING(department_id) = 1 OR department_id IS NOT NULL"""  # noqa: S608 - our own tables


def segment_rollups_build(*, organization: Organization, segment_id: int, force: bool = False) -> int | None:
    """Counts the segment's rollups whole from its contacts' answers: the rows written, 0 when they
    were current already (unless `force`), None when there is no such segment (or on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        return None
    # Committed before the count's snapshot: an answer saved during the build finds the state, so
    # its slice's refresh recounts this segment too (after waiting for the build's lock).
    SegmentRollupState.objects.get_or_create(segment=segment, defaults={"organization": organization})
    with transaction.atomic():
        segment_locks([segment_id], shared=False)
        state = SegmentRollupState.objects.select_related("segment").get(segment_id=segment_id)
        if state.current and not force:
            return 0
        wanted, filters = state.wanted, state.segment.filters  # read before the count's snapshot
        SegmentRollup.objects.filter(segment_id=segment_id).delete()
        rows = 0
        members = _members_sql(filters)
        if members is not None:
            versions, questions = _source_pairs()
            with connection.cursor() as cursor:
                cursor.execute(_insert_sql(members[0]), [organization.pk, segment_id, organization.time_zone,
                                                         versions, questions, organization.pk, *members[1]])
                rows = cursor.rowcount
        SegmentRollupState.objects.filter(pk=state.pk).update(built=wanted, filters=filters, built_at=timezone.now())
    return rows
