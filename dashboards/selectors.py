"""Dashboard numbers, read for one actor (`organizations.access`) under one set of filters.

Customer answers come from the rollups: without a department restriction from the
organization-wide rows (department NULL), with one — a department filter or a manager's own
departments — from the rows of those departments, for every breakdown (every answer has one
department at most, so their sum is exact). A saved segment reads its own rollups
(`SegmentRollup`, the same rows over its contacts' answers, combined with the departments,
surveys, kind and period the same way) while they are current (`segment_rollups`); until then —
a contact change that may have moved people in or out, a segment never built — it reads the raw
answers: one GROUP BY GROUPING SETS per period gives the headline, trend and every breakdown
(counts of the eleven scores per group), its sources included.

Employee (eNPS) answers are shown only as whole anonymity units (`access.anonymity_units`)
built from the rollups per survey and week: every figure — headline, previous period, trend,
breakdowns, the department tree, comments — is a sum of units of at least the threshold's
number of answers, so no figure and no difference of two is about fewer people. Every score
goes through `nps_platform.nps_math`."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from contacts.models import Contact, Segment
from contacts.selectors import contact_filter
from distribution.models import Invitation
from nps_platform.db_router import read_alias
from nps_platform.nps_math import change_is_significant, score_from_categories, score_from_histogram
from organizations import access
from organizations.access import Actor
from organizations.models import Department, Employee, Organization
from organizations.selectors import department_subtree
from responses.models import Response
from surveys.models import Survey, SurveyKind, SurveyVersion
from surveys.texts import resolve

from .models import SCORE_FIELDS, Rollup, SegmentRollup
from .rollups import AnyOf, source_question_keys
from .segment_rollups import segment_rollups_current

DIMENSIONS = ("department", "employee", "region", "product", "survey", "channel", "language", "source")
# What an employee answer may be broken down by: the dimensions its anonymity units follow.
ANONYMOUS_DIMENSIONS = ("department", "survey")
SMALL = "__small__"
# A segment up to this many contacts is passed to PostgreSQL as an array of ids (read once per
# page); a larger one stays a subquery, so a page never holds millions of ids.
SEGMENT_IDS_MAX = 200_000


@dataclass
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    survey_id: int | None = None
    kind: str = ""
    department_id: int | None = None
    segment_id: int | None = None
    every: str = "week"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        return Filters(start=self.start - dt.timedelta(days=self.days), end=self.start - dt.timedelta(days=1),
                       survey_id=self.survey_id, kind=self.kind, department_id=self.department_id,
                       segment_id=self.segment_id, every=self.every)

    def query(self) -> str:
        data = {"from": self.start.isoformat(), "to": self.end.isoformat(), "every": self.every}
        for key, value in (("survey", self.survey_id), ("kind", self.kind), ("department", self.department_id),
                           ("segment", self.segment_id)):
            if value:
                data[key] = value
        return urlencode(data)


def filters_from(params, *, organization: Organization) -> Filters:
    """Filters from the query string (so a view can be shared by link); default: the last 90 days."""
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()

    def date(name, default):
        try:
            value = dt.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return default
        return value if dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31) else default

    def number(name):
        value = params.get(name, "")
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    end = date("to", today)
    start = date("from", end - dt.timedelta(days=89))
    if start > end:
        start, end = end, start
    survey_id = number("survey")
    kind = params.get("kind", "")
    kind = kind if kind in SurveyKind.values else SurveyKind.CNPS  # customers and employees never mix
    if survey_id:
        kind = Survey.objects.filter(pk=survey_id).values_list("kind", flat=True).first() or kind
    if access.anonymous_kind(kind):
        start, end = access.anonymous_period(start, end)
    return Filters(start=start, end=end, survey_id=survey_id, kind=kind, department_id=number("department"),
                   segment_id=number("segment"), every="month" if params.get("every") == "month" else "week")


def _score_sums() -> dict:
    return {f"s{f}": Sum(f) for f in SCORE_FIELDS}


def _row_histogram(row) -> list[int]:
    return [row[f"s{f}"] or 0 for f in SCORE_FIELDS]


class Dashboard:
    def __init__(self, *, organization: Organization, filters: Filters, actor: Actor):
        self.organization, self.filters, self.actor = organization, filters, actor
        self.tz = zoneinfo.ZoneInfo(organization.time_zone)
        self.anonymous = access.anonymous_kind(filters.kind)
        restricted = department_subtree({filters.department_id}) if filters.department_id else None
        self._filter_subtree = set(restricted or ())
        if actor.department_ids is not None:
            restricted = set(actor.department_ids) if restricted is None else restricted & actor.department_ids
        self.department_ids = restricted
        # `raw`: a segment's view, which the organization's rollups do not hold (readers with
        # rollups of their own only for the organization, like the insights' comment rollups,
        # count its raw answers); its figures here come from the segment's own rollups while
        # they are current, else from its raw answers, counted in SQL (`_from_answers`)
        self.raw = bool(filters.segment_id) and not self.anonymous
        self.segment_rollups = self.raw and segment_rollups_current(filters.segment_id)
        self._from_answers = self.raw and not self.segment_rollups
        self._units_cache: dict = {}

    # -- sources --------------------------------------------------------------------------------
    def _surveys(self, filters: Filters):
        qs = Survey.objects.all()
        if filters.survey_id:
            qs = qs.filter(pk=filters.survey_id)
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        return qs

    def _rollups(self, filters: Filters, key_prefix: str | None = None, key: str = "all", *,
                 by_department: bool = False):
        """Rollup rows of the period that count each answer once under the actor's and the
        filter's departments: the organization-wide rows without a restriction, else the rows of
        the departments in it. `by_department`: the departments' own rows even without one. A
        segment's view reads the segment's rows, the same way."""
        if self.segment_rollups:
            qs = SegmentRollup.objects.filter(segment_id=filters.segment_id, day__gte=filters.start,
                                              day__lte=filters.end)
        else:
            qs = Rollup.objects.filter(day__gte=filters.start, day__lte=filters.end)
        if filters.survey_id or filters.kind:
            qs = qs.filter(survey_id__in=self._survey_ids(filters))
        if self.department_ids is not None:
            qs = qs.filter(department_id__in=sorted(self.department_ids))
        elif by_department:
            qs = qs.filter(department__isnull=False)
        else:
            qs = qs.filter(department__isnull=True)
        return qs.filter(key__startswith=key_prefix) if key_prefix is not None else qs.filter(key=key)

    def _survey_ids(self, filters: Filters) -> list[int]:
        """The view's surveys as ids, not a subquery: the planner then knows how many answers
        (or rollup rows) they hold, and takes the scope's index rather than the survey's."""
        key = ("surveys", filters.survey_id, filters.kind)
        if key not in self._units_cache:
            self._units_cache[key] = list(self._surveys(filters).values_list("pk", flat=True))
        return self._units_cache[key]

    def _period_bounds(self, filters: Filters) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(filters.start, dt.time(0), self.tz),
                dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time(0), self.tz))

    def _responses(self, filters: Filters):
        """The raw answers behind the figures (all kinds: the caller decides what may be shown
        of them, through `organizations.access`)."""
        start, end = self._period_bounds(filters)
        qs = access.visible_responses(self.actor, Response.objects.filter(created_at__gte=start, created_at__lt=end))
        if filters.survey_id or filters.kind:
            qs = qs.filter(survey_id__in=self._survey_ids(filters))
        if self.department_ids is not None:
            qs = qs.filter(department_id__in=self.department_ids)
        if filters.segment_id:
            qs = self._in_segment(qs)
        return qs

    def _in_segment(self, qs):
        """`qs` (answers or invitations) narrowed to the segment's contacts. Counting its raw
        answers on PostgreSQL, their ids are read once per page and passed as one array; with
        the segment's rollups current (nothing left but the funnel, the cases, the answers' own
        figures) and on SQLite, a subquery (an array of 20 000 ids costs each query ~50 ms to
        send and plan)."""
        key = ("segment", self.filters.segment_id)
        if key not in self._units_cache:
            segment = Segment.objects.filter(pk=self.filters.segment_id).first()
            members = contact_filter(segment.filters).order_by().values("pk") if segment else None
            if members is not None and connection.vendor == "postgresql" and self._from_answers:
                # (id, region, product) of each: the region and product breakdowns join these
                # instead of the contacts table; a very large segment keeps the subquery
                listed = list(members.values_list("pk", "region", "product")[:SEGMENT_IDS_MAX + 1])
                members = sorted(set(listed)) if len(listed) <= SEGMENT_IDS_MAX else members
            self._units_cache[key] = members
        members = self._units_cache[key]
        if members is None:
            return qs.none()
        return qs.filter(AnyOf(F("contact_id"), [m[0] for m in members])) if isinstance(members, list) \
            else qs.filter(contact__in=members)

    def responses(self):
        return self._responses(self.filters)

    @staticmethod
    def _sum(qs) -> list[int]:
        totals = qs.aggregate(**{f: Sum(f) for f in SCORE_FIELDS})
        return [totals[f] or 0 for f in SCORE_FIELDS]

    # What a segment's answers are grouped by, in one pass: dimension → column of the rows.
    RAW_COLUMNS = {"department": "department_id", "employee": "employee_id", "survey": "survey_id",
                   "channel": "channel", "language": "language", "region": "region", "product": "product",
                   "bucket": "bucket"}

    def _raw_groups(self, filters: Filters) -> dict[str, dict]:
        """A segment's answers counted in SQL, in one scan: {dimension: {value: histogram}} for
        every breakdown and the trend's buckets, and "" → {"": histogram} for the total. One
        GROUP BY GROUPING SETS ((score), (department_id, score), …) over the filtered answers."""

        cache_key = ("raw", filters.start, filters.end, filters.every)
        if cache_key in self._units_cache:
            return self._units_cache[cache_key]
        trunc = TruncMonth if filters.every == "month" else TruncWeek
        columns = list(self.RAW_COLUMNS.values())
        inner = (self._responses(filters)
                 .annotate(region=F("contact__region"), product=F("contact__product"),
                           bucket=trunc("created_at", tzinfo=self.tz))
                 .values("score", *columns).order_by())
        outside = ("region", "product")  # PostgreSQL: from the segment's members, joined below
        everything = (1 << len(columns)) - 1
        names = list(self.RAW_COLUMNS)  # the grouped dimensions, in GROUPING()'s bit order
        rows: list = []
        if connection.vendor != "postgresql":  # SQLite (the embedded mode): one GROUP BY per dimension
            for i, column in enumerate([None, *columns]):
                fields = ["score"] if column is None else [column, "score"]
                for *value, score, n in inner.values_list(*fields).annotate(n=Count("pk")).order_by():
                    values = [None] * len(columns)
                    if column is not None:
                        values[i - 1] = value[0]
                    rows.append((everything if column is None else everything ^ (1 << (len(columns) - i)),
                                 *values, score, n))
        else:  # PostgreSQL: the sources' chosen keys (JSON arrays) are grouped in the same scan
            sources = list(self._source_versions(filters).items())
            members = self._units_cache.get(("segment", filters.segment_id))
            joined = isinstance(members, list)  # else region and product come from the contacts
            own = [c for c in columns if not joined or c not in outside]
            inner = inner.values("score", "contact_id", *own, *(("version_id", "answers") if sources else ()))
            picked = [f"CASE WHEN version_id = ANY(%s::bigint[]) AND jsonb_typeof(answers -> %s -> 'choices') "
                      f"= 'array' THEN (answers -> %s -> 'choices')::text END AS src{i}" for i in range(len(sources))]
            grouped = [*columns, *(f"src{i}" for i in range(len(sources)))]
            sets = ", ".join(["(score)", *(f"({c}, score)" for c in grouped)])
            try:
                sql, params = inner.query.sql_with_params()
            except EmptyResultSet:  # a filter that can match nothing (an id from elsewhere)
                sql = None
            arrays = [list(column) for column in zip(*(members or [(None, None, None)]), strict=True)] \
                if joined else []
            join = ("JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS m(contact, region, product) "
                    "ON m.contact = a.contact_id") if joined else ""
            if sql is not None:
                alias = read_alias(Response)  # the replica on a dashboard's GET, when there is one
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    # nine hash tables over a segment's answers: in memory rather than sorted on disk
                    cursor.execute("SET LOCAL work_mem = '64MB'")
                    cursor.execute(
                        f"SELECT GROUPING({', '.join(grouped)}), {', '.join(grouped)}, score, count(*) "  # noqa: S608
                        f"FROM (SELECT {', '.join([*columns, 'score', *picked])} FROM ({sql}) AS a {join}) AS answers "
                        f"GROUP BY GROUPING SETS ({sets})",
                        [*(p for versions_of in sources for p in (versions_of[1], versions_of[0], versions_of[0])),
                         *params, *arrays])
                    rows = cursor.fetchall()
            names = [*self.RAW_COLUMNS, *(f"source:{key}" for key, _versions in sources)]
            everything = (1 << len(names)) - 1
        dimension_of = {everything ^ (1 << (len(names) - 1 - i)): name for i, name in enumerate(names)}
        dimension_of[everything] = ""
        groups: dict[str, dict] = {name: defaultdict(lambda: [0] * 11) for name in ("", *self.RAW_COLUMNS)}
        if connection.vendor == "postgresql":
            groups["source"] = defaultdict(lambda: [0] * 11)
        for mask, *values, score, n in rows:
            dimension = dimension_of[mask]
            value = "" if dimension == "" else values[names.index(dimension)]
            if dimension.startswith("source:"):  # as the rollups count them: "__other__" is "other"
                for choice in json.loads(value) if value else []:
                    groups["source"]["other" if choice == "__other__" else str(choice)][score] += n
                continue
            if dimension == "bucket":
                value = value.date() if isinstance(value, dt.datetime) else value
            elif dimension and value in (None, ""):
                continue
            elif dimension:
                value = str(value)
            groups[dimension][value][score] += n
        self._units_cache[cache_key] = groups
        return groups

    # -- employee answers: anonymity units -------------------------------------------------------
    def _atoms(self, filters: Filters) -> tuple[dict, dict]:
        """Employee answers per (survey, week) and department, from the rollups, with the unit
        each belongs to (the organization's partition, the same for every reader)."""
        cache_key = ("atoms", filters.start, filters.end, filters.survey_id)
        if cache_key not in self._units_cache:
            rows = (Rollup.objects.filter(day__gte=filters.start, day__lte=filters.end,
                                          survey__in=self._surveys(filters))
                    .filter(key="all")
                    .annotate(week=TruncWeek("day")).values("survey_id", "week", "department_id")
                    .annotate(**_score_sums()).order_by())
            atoms: dict[tuple, list[int]] = {}
            totals: dict[tuple, list[int]] = {}
            for row in rows:
                week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
                slice_key, histogram = (row["survey_id"], week), _row_histogram(row)
                if row["department_id"] is None:
                    totals[slice_key] = histogram
                else:
                    atoms[(slice_key, row["department_id"])] = histogram
            rests = {slice_key: list(total) for slice_key, total in totals.items()}
            for (slice_key, _department), histogram in atoms.items():  # the answers with no department
                if slice_key in rests:
                    rests[slice_key] = [a - b for a, b in zip(rests[slice_key], histogram, strict=True)]
            atoms.update({(slice_key, None): rest for slice_key, rest in rests.items() if sum(rest) > 0})
            parents = dict(Department.objects.values_list("pk", "parent_id"))
            roots = access.anonymity_units(atoms, parents, self.organization.anonymity_threshold)
            self._units_cache[cache_key] = (atoms, roots)
        return self._units_cache[cache_key]

    def _shown_roots(self, roots: dict) -> set:
        """The unit roots the reader may see under the department filter (once per partition)."""
        key = ("shown", id(roots))
        if key not in self._units_cache:
            shown = access.units_in_scope(self.actor, set(roots.values()))
            if self.filters.department_id:
                shown &= self._filter_subtree
            self._units_cache[key] = shown
        return self._units_cache[key]

    def _units(self, filters: Filters) -> list[tuple[int, dt.date, int | None, list[int]]]:
        """(survey, week, unit root, histogram) of every unit the actor may see under the filters."""
        if filters.segment_id:
            return []  # a segment is a set of customers: no employee answer belongs to one
        atoms, roots = self._atoms(filters)
        shown = self._shown_roots(roots)
        units: dict[tuple, list[int]] = defaultdict(lambda: [0] * 11)
        for atom, histogram in atoms.items():
            root = roots.get(atom, access.HIDDEN)
            if root in shown:
                unit = units[(atom[0], root)]
                for i, n in enumerate(histogram):
                    unit[i] += n
        return [(slice_key[0], slice_key[1], root, h) for (slice_key, root), h in units.items()]

    def unit_of(self, response) -> int | str | None:
        """The unit an employee answer is shown in (for its comment), or HIDDEN: its department
        is shown as the unit's, never as its own smaller group."""
        _atoms, roots = self._atoms(self.filters)
        week = access.week_start(response.created_at.astimezone(self.tz).date())
        root = roots.get(((response.survey_id, week), response.department_id), access.HIDDEN)
        return root if root in self._shown_roots(roots) else access.HIDDEN

    # -- the page -------------------------------------------------------------------------------
    def histogram(self, filters: Filters | None = None) -> list[int]:
        filters = filters or self.filters
        if self.anonymous:
            total = [0] * 11
            for *_rest, h in self._units(filters):
                total = [a + b for a, b in zip(total, h, strict=True)]
            return total
        if self._from_answers:
            return list(self._raw_groups(filters)[""].get("", [0] * 11))
        return self._sum(self._rollups(filters))

    def headline(self) -> dict:
        current = score_from_histogram(self.histogram())
        previous = score_from_histogram(self.histogram(self.filters.previous()))
        change = None if current.nps is None or previous.nps is None else current.nps - previous.nps
        return {"score": current, "previous": previous, "change": change,
                "significant": change_is_significant(current, previous),
                "target": self.organization.nps_target}

    def _bucket(self, day: dt.date) -> dt.date:
        return day.replace(day=1) if self.filters.every == "month" else access.week_start(day)

    def trend(self) -> list[dict]:
        buckets: dict[dt.date, list[int]] = defaultdict(lambda: [0] * 11)
        if self.anonymous:
            for _survey, week, _root, h in self._units(self.filters):
                bucket = buckets[self._bucket(week)]
                for i, n in enumerate(h):
                    bucket[i] += n
        else:
            trunc = TruncMonth if self.filters.every == "month" else TruncWeek
            if self._from_answers:
                for bucket, histogram in self._raw_groups(self.filters)["bucket"].items():
                    buckets[bucket] = list(histogram)
            else:
                rows = (self._rollups(self.filters).annotate(bucket=trunc("day")).values("bucket")
                        .annotate(**_score_sums()).order_by())
                for row in rows:
                    bucket = row["bucket"]
                    bucket = bucket.date() if isinstance(bucket, dt.datetime) else bucket
                    for i, n in enumerate(_row_histogram(row)):
                        buckets[bucket][i] += n
        return [{"bucket": bucket, "score": score_from_histogram(h)} for bucket, h in sorted(buckets.items())]

    def breakdown(self, dimension: str) -> list[dict]:
        """Rows of {label, value, score}, each with n and the low-sample flag (read once per
        board: the department tree and "eNPS beside cNPS" both show the departments)."""
        key = ("breakdown", dimension)
        if key not in self._units_cache:
            self._units_cache[key] = self._breakdown(dimension)
        return list(self._units_cache[key])

    def _breakdown(self, dimension: str) -> list[dict]:
        employees = access.visible_employee_ids(self.actor)
        if dimension == "employee" and employees is not None and not employees:
            return []
        groups: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
        if self.anonymous:
            if dimension not in ANONYMOUS_DIMENSIONS:
                return []  # an employee answer is shown only by the groups its units follow
            for survey_id, _week, root, h in self._units(self.filters):
                value = str(survey_id) if dimension == "survey" else (SMALL if root is None else str(root))
                groups[value] = [a + b for a, b in zip(groups[value], h, strict=True)]
        elif self._from_answers:
            if dimension == "source":
                raw = self._raw_groups(self.filters)
                groups = raw["source"] if "source" in raw else self._raw_sources()
            elif dimension in self.RAW_COLUMNS:
                groups = self._raw_groups(self.filters)[dimension]
        elif dimension == "survey":
            for row in self._rollups(self.filters).values("survey_id").annotate(**_score_sums()).order_by():
                groups[str(row["survey_id"])] = _row_histogram(row)
        elif dimension == "department":
            for row in self._rollups(self.filters, by_department=True).values("department_id").annotate(
                    **_score_sums()).order_by():
                groups[str(row["department_id"])] = _row_histogram(row)
        else:
            for row in self._rollups(self.filters, key_prefix=f"{dimension}:").values("key").annotate(
                    **_score_sums()).order_by():
                groups[row["key"].split(":", 1)[1]] = _row_histogram(row)
        if dimension == "employee" and employees is not None:
            groups = {k: v for k, v in groups.items() if k in {str(i) for i in employees}}
        return self._label(dimension, groups)

    def _source_versions(self, filters: Filters) -> dict[str, list[int]]:
        """Source question key → the versions (of the view's surveys) that ask it."""
        versions: dict[str, list[int]] = defaultdict(list)
        for pk, definition in SurveyVersion.objects.filter(survey__in=self._surveys(filters)).values_list(
                "pk", "definition"):
            for key in source_question_keys(definition or {}):
                versions[key].append(pk)
        return versions

    def _raw_sources(self) -> dict[str, list[int]]:
        """A segment's answers per source choice, read from the answers' JSON (SQLite, the
        embedded mode; PostgreSQL groups them in `_raw_groups`' scan). As the rollups count them:
        "__other__" is "other"."""
        qs = self._responses(self.filters)
        groups: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
        for key, version_ids in self._source_versions(self.filters).items():
            for answers, score in qs.filter(version_id__in=version_ids).values_list("answers", "score") \
                    .order_by().iterator(chunk_size=5000):
                answer = answers.get(key) if isinstance(answers, dict) else None
                for choice in answer.get("choices", []) if isinstance(answer, dict) else []:
                    groups["other" if choice == "__other__" else choice][score] += 1
        return groups

    def _label(self, dimension: str, groups: dict[str, list[int]]) -> list[dict]:
        names: dict[str, str] = {SMALL: gettext("Smaller groups, merged for anonymity")}
        if dimension == "department":
            names.update({str(d.pk): d.name for d in Department.objects.all()})
        elif dimension == "employee":
            names.update({str(e.pk): e.name for e in Employee.objects.all()})
        elif dimension == "survey":
            names.update({str(s.pk): s.name for s in Survey.objects.all()})
        elif dimension == "source":
            names.update(self._source_labels())
        rows = [{"value": value, "label": names.get(value, value), "score": score_from_histogram(h)}
                for value, h in groups.items() if sum(h)]
        return sorted(rows, key=lambda r: (-r["score"].n, r["label"]))

    def _source_labels(self) -> dict[str, str]:
        """Source choice keys → their wording in the organization's language, from the surveys."""

        labels = {"other": gettext("Other")}
        language = self.organization.default_language
        for survey in Survey.objects.exclude(current_version=None).select_related("current_version"):
            definition = survey.current_version.definition
            for question in definition["questions"]:
                if question.get("is_source"):
                    for choice in question.get("choices", []):
                        labels.setdefault(choice["key"], resolve(choice["texts"], language,
                                                                 definition["default_language"]))
        return labels

    def department_tree(self) -> list[dict]:
        """Departments with their teams' answers included, in tree order, for drilling down."""
        direct = {row["value"]: row["score"] for row in self.breakdown("department")}
        departments = list(Department.objects.order_by("name"))
        children: dict[int | None, list[Department]] = defaultdict(list)
        for d in departments:
            children[d.parent_id].append(d)
        out = []

        def walk(parent_id, depth) -> list[int]:
            total = [0, 0, 0]
            for d in children.get(parent_id, []):
                position = len(out)
                out.append(None)
                own = direct.get(str(d.pk))
                sub = walk(d.pk, depth + 1)
                counts = [sub[0] + (own.promoters if own else 0), sub[1] + (own.passives if own else 0),
                          sub[2] + (own.detractors if own else 0)]
                out[position] = {"department": d, "depth": depth, "score": score_from_categories(*counts)}
                total = [a + b for a, b in zip(total, counts, strict=True)]
            return total

        walk(None, 0)
        return [row for row in out if row["score"].n]

    def distribution(self) -> list[int]:
        return self.histogram()

    def funnel(self) -> dict:
        """Invitations sent in the period to the same population as the figures: the survey or
        kind, the departments (the contact's or employee's), the segment."""


        start, end = self._period_bounds(self.filters)
        qs = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
        if self.filters.survey_id or self.filters.kind:
            qs = qs.filter(survey__in=self._surveys(self.filters))
        if self.department_ids is not None:
            qs = qs.filter(Q(employee__department_id__in=self.department_ids)
                           | Q(employee=None, contact__department_id__in=self.department_ids))
        if self.filters.segment_id:
            qs = self._in_segment(qs)
        counts = qs.aggregate(sent=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
                              responded=Count("pk", filter=Q(responded_at__isnull=False)))
        sent = counts["sent"]
        return {"sent": sent, "opened": counts["opened"], "responded": counts["responded"],
                "rate": round(100 * counts["responded"] / sent) if sent else None}

    def sources(self) -> dict:
        rows = self.breakdown("source")
        total = sum(r["score"].n for r in rows)
        recommended = next((r["score"].n for r in rows if r["value"] == "recommendation"), 0)
        return {"rows": rows, "recommendation_share": round(100 * recommended / total) if total else None}


def dashboard_for(*, actor: Actor, params) -> Dashboard:
    organization = actor.organization
    return Dashboard(organization=organization, filters=filters_from(params, organization=organization), actor=actor)


# --- Economics -------------------------------------------------------------------------------------

QUADRANTS = {
    ("large", "loyal"): gettext_lazy("Fans"),
    ("small", "loyal"): gettext_lazy("Habit customers"),
    ("large", "disloyal"): gettext_lazy("Shoppers"),
    ("small", "disloyal"): gettext_lazy("Last chance"),
}


def economics(board: Dashboard) -> dict | None:
    """Where contacts carry revenue: average revenue and lifetime value (revenue × years as a
    customer) per category; share-of-wallet quadrants — large or small (at or above the median
    revenue, or below) and loyal (promoter) or disloyal (detractor); and the value at stake
    from the organization's own value of a promoter and cost of a detractor. Each contact counts
    once, by their latest answer in the period."""


    if not Contact.objects.filter(revenue_12m__isnull=False).exists():
        return None  # nothing to weigh: skip the join over the period's answers
    latest: dict[int, Response] = {}
    for response in (board._responses(board.filters).filter(contact__revenue_12m__isnull=False)
                     .select_related("contact").order_by("created_at")):
        latest[response.contact_id] = response
    if not latest:
        return None
    today = timezone.now().date()
    by_category: dict[str, list] = {"promoter": [], "passive": [], "detractor": []}
    for response in latest.values():
        contact = response.contact
        years = max((today - contact.customer_since).days / 365.25, 1.0) if contact.customer_since else 1.0
        by_category[response.category].append((float(contact.revenue_12m), float(contact.revenue_12m) * years,
                                                contact, response))
    median = statistics.median(float(r.contact.revenue_12m) for r in latest.values())
    categories = {}
    for category, rows in by_category.items():
        categories[category] = {
            "n": len(rows),
            "revenue": round(sum(r[0] for r in rows) / len(rows)) if rows else None,
            "lifetime": round(sum(r[1] for r in rows) / len(rows)) if rows else None,
        }
    quadrants: dict[str, list] = {str(name): [] for name in QUADRANTS.values()}
    points = []
    people = access.may_see_people(board.actor)  # names beside revenue only for who may see people

    def label(contact) -> str:
        return (contact.name or contact.email) if people else ""

    for category in ("promoter", "detractor"):
        for revenue, _lifetime, contact, response in by_category[category]:
            size = "large" if revenue >= median else "small"
            name = str(QUADRANTS[(size, "loyal" if category == "promoter" else "disloyal")])
            quadrants[name].append({"label": label(contact), "revenue": revenue, "score": response.score})
    for rows in quadrants.values():
        rows.sort(key=lambda r: -r["revenue"])
    for revenue, _lifetime, contact, response in [row for rows in by_category.values() for row in rows]:
        points.append({"score": response.score, "revenue": revenue, "label": label(contact),
                       "category": response.category})
    organization = board.organization
    promoters, detractors = categories["promoter"]["n"], categories["detractor"]["n"]
    value = None
    if organization.promoter_value is not None or organization.detractor_cost is not None:
        value = {"promoters": promoters * float(organization.promoter_value or 0),
                 "detractors": detractors * float(organization.detractor_cost or 0)}
        value["net"] = value["promoters"] - value["detractors"]
    return {"categories": categories, "median": median, "quadrants": quadrants, "points": points, "value": value,
            "currency": organization.value_currency, "contacts": len(latest)}


def enps_beside_cnps(*, actor: Actor, params, board: Dashboard | None = None) -> list[dict]:
    """Per department: the customers' NPS and the employees' eNPS side by side (eNPS groups
    under the anonymity threshold merged or hidden as everywhere). `board`: the page's own
    dashboard, whose counts are reused where one side has the same filters (a segment's scan)."""
    rows: dict[str, dict] = {}
    for kind in (SurveyKind.CNPS, SurveyKind.ENPS):
        query = params.copy()
        query["kind"] = kind
        query.pop("survey", None)
        side = dashboard_for(actor=actor, params=query)
        if board is not None and board.actor is actor and side.filters == board.filters:
            side = board
        for row in side.breakdown("department"):
            rows.setdefault(row["value"], {"label": row["label"]})[kind] = row["score"]
    return sorted(rows.values(), key=lambda r: r["label"])
