"""Dashboard numbers. Without a department or segment restriction they come from the rollups
(cost follows days × groups, not answers); with one — a department filter, a manager's own
departments, a segment — they are counted from the raw answers of that slice, since a rollup
row counts one dimension at a time. Both paths produce the same histograms, and every score
goes through `nps_platform.nps_math`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from contacts.models import Segment
from contacts.selectors import contact_filter
from nps_platform.nps_math import change_is_significant, score_from_categories, score_from_histogram
from organizations.models import Department, Employee, EmployeeVisibility, Organization, Role
from organizations.selectors import department_subtree, managed_departments
from responses.models import Response
from surveys.models import Survey, SurveyKind

from .models import SCORE_FIELDS, Rollup

DIMENSIONS = ("department", "employee", "region", "product", "survey", "channel", "language", "source")


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
        from urllib.parse import urlencode

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
            return dt.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return default

    def number(name):
        value = params.get(name, "")
        return int(value) if value.isdigit() else None

    end = date("to", today)
    start = date("from", end - dt.timedelta(days=89))
    if start > end:
        start, end = end, start
    survey_id = number("survey")
    kind = params.get("kind", "")
    kind = kind if kind in SurveyKind.values else SurveyKind.CNPS  # customers and employees never mix
    if survey_id:
        kind = Survey.objects.filter(pk=survey_id).values_list("kind", flat=True).first() or kind
    return Filters(start=start, end=end, survey_id=survey_id, kind=kind, department_id=number("department"),
                   segment_id=number("segment"), every="month" if params.get("every") == "month" else "week")


@dataclass
class Scope:
    """Who is looking: what they may see of departments and employees."""

    department_ids: set[int] | None  # None: everything
    see_employees: bool
    own_employee_ids: set[int] = field(default_factory=set)


def scope_for(membership) -> Scope:
    organization = membership.organization
    visibility = organization.employee_visibility
    own = set(Employee.objects.filter(user_id=membership.user_id).values_list("pk", flat=True))
    if (departments := managed_departments(membership)) is not None:
        see = visibility in (EmployeeVisibility.MANAGERS, EmployeeVisibility.EMPLOYEE_AND_MANAGERS,
                             EmployeeVisibility.ALL_MEMBERS)
        return Scope(departments, see, own)
    if membership.role in (Role.OWNER, Role.ADMIN):
        return Scope(None, visibility != EmployeeVisibility.NOBODY, own)
    # viewers: all departments; employees only when everyone may see them (or their own)
    return Scope(None, visibility == EmployeeVisibility.ALL_MEMBERS,
                 own if visibility == EmployeeVisibility.EMPLOYEE_AND_MANAGERS else set())


class Dashboard:
    def __init__(self, *, organization: Organization, filters: Filters, scope: Scope):
        self.organization, self.filters, self.scope = organization, filters, scope
        self.tz = zoneinfo.ZoneInfo(organization.time_zone)
        restricted = {filters.department_id} if filters.department_id else None
        if restricted is not None:
            restricted = department_subtree(restricted)
        if scope.department_ids is not None:
            restricted = scope.department_ids if restricted is None else restricted & scope.department_ids
        self.department_ids = restricted
        self.raw = restricted is not None or filters.segment_id is not None

    # -- sources --------------------------------------------------------------------------------
    def _surveys(self, filters: Filters):
        qs = Survey.objects.all()
        if filters.survey_id:
            qs = qs.filter(pk=filters.survey_id)
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        return qs

    def _rollups(self, filters: Filters, key_prefix: str | None = None, key: str | None = None):
        qs = Rollup.objects.filter(day__gte=filters.start, day__lte=filters.end)
        if filters.survey_id or filters.kind:
            qs = qs.filter(survey__in=self._surveys(filters))
        if key is not None:
            qs = qs.filter(key=key)
        elif key_prefix is not None:
            qs = qs.filter(key__startswith=key_prefix)
        return qs

    def _responses(self, filters: Filters):
        start = dt.datetime.combine(filters.start, dt.time(0), self.tz)
        end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time(0), self.tz)
        qs = Response.objects.filter(created_at__gte=start, created_at__lt=end)
        if filters.survey_id or filters.kind:
            qs = qs.filter(survey__in=self._surveys(filters))
        if self.department_ids is not None:
            qs = qs.filter(department_id__in=self.department_ids)
        if filters.segment_id:
            segment = Segment.objects.filter(pk=filters.segment_id).first()
            qs = qs.filter(contact__in=contact_filter(segment.filters).values("pk")) if segment else qs.none()
        return qs

    @staticmethod
    def _sum(qs) -> list[int]:
        totals = qs.aggregate(**{f: Sum(f) for f in SCORE_FIELDS})
        return [totals[f] or 0 for f in SCORE_FIELDS]

    @staticmethod
    def _histogram(scores) -> list[int]:
        histogram = [0] * 11
        for score in scores:
            histogram[score] += 1
        return histogram

    def histogram(self, filters: Filters | None = None) -> list[int]:
        filters = filters or self.filters
        if self.raw:
            histogram = self._histogram(self._responses(filters).values_list("score", flat=True))
        else:
            histogram = self._sum(self._rollups(filters, key="all"))
        return self._anonymous_floor(histogram)

    def _anonymous_floor(self, histogram: list[int]) -> list[int]:
        """Employee answers from fewer people than the anonymity threshold are not shown at all."""
        if self.filters.kind == SurveyKind.ENPS and sum(histogram) < self.organization.anonymity_threshold:
            return [0] * 11
        return histogram

    # -- the page -------------------------------------------------------------------------------
    def headline(self) -> dict:
        current = score_from_histogram(self.histogram())
        previous = score_from_histogram(self.histogram(self.filters.previous()))
        change = None if current.nps is None or previous.nps is None else current.nps - previous.nps
        return {"score": current, "previous": previous, "change": change,
                "significant": change_is_significant(current, previous),
                "target": self.organization.nps_target}

    def trend(self) -> list[dict]:
        trunc = TruncMonth if self.filters.every == "month" else TruncWeek
        buckets: dict[dt.date, list[int]] = defaultdict(lambda: [0] * 11)
        if self.raw:
            for created_at, score in self._responses(self.filters).values_list("created_at", "score"):
                day = created_at.astimezone(self.tz).date()
                bucket = day.replace(day=1) if self.filters.every == "month" else day - dt.timedelta(days=day.weekday())
                buckets[bucket][score] += 1
        else:
            rows = (self._rollups(self.filters, key="all").annotate(bucket=trunc("day")).values("bucket")
                    .annotate(**{f"s{f}": Sum(f) for f in SCORE_FIELDS}))
            for row in rows:
                bucket = row["bucket"]
                bucket = bucket.date() if isinstance(bucket, dt.datetime) else bucket
                for i, f in enumerate(SCORE_FIELDS):
                    buckets[bucket][i] += row[f"s{f}"] or 0
        return [{"bucket": bucket, "score": score_from_histogram(self._anonymous_floor(h))}
                for bucket, h in sorted(buckets.items())]

    def breakdown(self, dimension: str) -> list[dict]:
        """Rows of {label, value, score}, each with n and the low-sample flag."""
        if dimension == "employee" and not (self.scope.see_employees or self.scope.own_employee_ids):
            return []
        groups: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
        if dimension == "survey":
            if self.raw:
                for survey_id, score in self._responses(self.filters).values_list("survey_id", "score"):
                    groups[str(survey_id)][score] += 1
            else:
                for row in self._rollups(self.filters, key="all").values("survey_id").annotate(
                        **{f"s{f}": Sum(f) for f in SCORE_FIELDS}):
                    groups[str(row["survey_id"])] = [row[f"s{f}"] or 0 for f in SCORE_FIELDS]
        elif self.raw:
            from .rollups import response_keys, source_question_keys

            cache: dict[int, list[str]] = {}
            for response in self._responses(self.filters).select_related("contact", "version"):
                if response.version_id not in cache:
                    cache[response.version_id] = source_question_keys(response.version.definition)
                for key in response_keys(response, cache[response.version_id]):
                    if key.startswith(f"{dimension}:"):
                        groups[key.split(":", 1)[1]][response.score] += 1
        else:
            for row in self._rollups(self.filters, key_prefix=f"{dimension}:").values("key").annotate(
                    **{f"s{f}": Sum(f) for f in SCORE_FIELDS}):
                groups[row["key"].split(":", 1)[1]] = [row[f"s{f}"] or 0 for f in SCORE_FIELDS]
        return self._label(dimension, groups)

    def _label(self, dimension: str, groups: dict[str, list[int]]) -> list[dict]:
        names: dict[str, str] = {"__small__": "Smaller groups, merged for anonymity"}
        if dimension == "department":
            names.update({str(d.pk): d.name for d in Department.objects.all()})
        elif dimension == "employee":
            allowed = None if self.scope.see_employees else {str(i) for i in self.scope.own_employee_ids}
            names.update({str(e.pk): e.name for e in Employee.objects.all()})
            if allowed is not None:
                groups = {k: v for k, v in groups.items() if k in allowed}
        elif dimension == "survey":
            names.update({str(s.pk): s.name for s in Survey.objects.all()})
        elif dimension == "source":
            names.update(self._source_labels())
        if self.filters.kind == SurveyKind.ENPS:
            groups = self._anonymity(groups)
        rows = [{"value": value, "label": names.get(value, value), "score": score_from_histogram(h)}
                for value, h in groups.items()]
        return sorted(rows, key=lambda r: (-r["score"].n, r["label"]))

    def _source_labels(self) -> dict[str, str]:
        """Source choice keys → their wording in the organization's language, from the surveys."""
        from surveys.texts import resolve

        labels = {"other": "Other"}
        language = self.organization.default_language
        for survey in Survey.objects.exclude(current_version=None).select_related("current_version"):
            definition = survey.current_version.definition
            for question in definition["questions"]:
                if question.get("is_source"):
                    for choice in question.get("choices", []):
                        labels.setdefault(choice["key"], resolve(choice["texts"], language,
                                                                 definition["default_language"]))
        return labels

    def _anonymity(self, groups: dict[str, list[int]]) -> dict[str, list[int]]:
        """Employee answers: groups smaller than the anonymity threshold are merged into one
        "smaller groups" row, shown only if that row itself reaches the threshold."""
        threshold = self.organization.anonymity_threshold
        kept = {k: v for k, v in groups.items() if sum(v) >= threshold}
        small = [v for k, v in groups.items() if sum(v) < threshold]
        merged = [sum(col) for col in zip(*small, strict=True)] if small else []
        if merged and sum(merged) >= threshold:
            kept["__small__"] = merged
        return kept

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
        from distribution.models import Invitation

        start = dt.datetime.combine(self.filters.start, dt.time(0), self.tz)
        end = dt.datetime.combine(self.filters.end + dt.timedelta(days=1), dt.time(0), self.tz)
        qs = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
        if self.filters.survey_id or self.filters.kind:
            qs = qs.filter(survey__in=self._surveys(self.filters))
        sent = qs.count()
        opened = qs.filter(opened_at__isnull=False).count()
        responded = qs.filter(responded_at__isnull=False).count()
        return {"sent": sent, "opened": opened, "responded": responded,
                "rate": round(100 * responded / sent) if sent else None}

    def sources(self) -> dict:
        rows = self.breakdown("source")
        total = sum(r["score"].n for r in rows)
        recommended = next((r["score"].n for r in rows if r["value"] == "recommendation"), 0)
        return {"rows": rows, "recommendation_share": round(100 * recommended / total) if total else None}


def dashboard_for(*, membership, params) -> Dashboard:
    organization = membership.organization
    return Dashboard(organization=organization, filters=filters_from(params, organization=organization),
                     scope=scope_for(membership))





# --- Economics -------------------------------------------------------------------------------------

QUADRANTS = {
    ("large", "loyal"): "Fans",
    ("small", "loyal"): "Habit customers",
    ("large", "disloyal"): "Shoppers",
    ("small", "disloyal"): "Last chance",
}


def economics(board: Dashboard) -> dict | None:
    """Where contacts carry revenue: average revenue and lifetime value (revenue × years as a
    customer) per category; share-of-wallet quadrants — large or small (at or above the median
    revenue, or below) and loyal (promoter) or disloyal (detractor); and the value at stake
    from the organization's own value of a promoter and cost of a detractor. Each contact counts
    once, by their latest answer in the period."""
    import statistics

    from contacts.models import Contact

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
    quadrants: dict[str, list] = {name: [] for name in QUADRANTS.values()}
    points = []
    for category in ("promoter", "detractor"):
        for revenue, _lifetime, contact, response in by_category[category]:
            size = "large" if revenue >= median else "small"
            name = QUADRANTS[(size, "loyal" if category == "promoter" else "disloyal")]
            quadrants[name].append({"contact": contact, "revenue": revenue, "score": response.score})
    for rows in quadrants.values():
        rows.sort(key=lambda r: -r["revenue"])
    for revenue, _lifetime, contact, response in [row for rows in by_category.values() for row in rows]:
        points.append({"score": response.score, "revenue": revenue, "label": contact.name or contact.email,
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


def enps_beside_cnps(*, membership, params) -> list[dict]:
    """Per department: the customers' NPS and the employees' eNPS side by side (eNPS groups
    under the anonymity threshold merged or hidden as everywhere)."""
    rows: dict[str, dict] = {}
    for kind in (SurveyKind.CNPS, SurveyKind.ENPS):
        query = params.copy()
        query["kind"] = kind
        query.pop("survey", None)
        board = dashboard_for(membership=membership, params=query)
        for row in board.breakdown("department"):
            rows.setdefault(row["value"], {"label": row["label"]})[kind] = row["score"]
    return sorted(rows.values(), key=lambda r: r["label"])
