"""Rollups: for each survey, day (in the organization's time zone), department scope and
breakdown key, the count of each score 0–10 and of comments. Dashboards read these, so their
cost follows the number of days and groups shown, not the number of answers.

Each answer is counted twice per key: once in the organization-wide row (`department` NULL)
and, when it has a department, once in that department's row (its own answers only, not its
teams'). An unrestricted view reads the organization-wide rows; a department filter or a
manager's scope sums the rows of its departments — every answer has at most one department, so
that sum is exact for every breakdown (channel, language, source, …), not only the headline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel

SCORE_FIELDS = [f"c{i}" for i in range(11)]


class RollupCounts(TenantModel):
    """What a rollup row holds: one survey-day, department scope and key, and its counts."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # NULL: every answer of the survey-day; a department: that department's own answers. Deleting
    # a department sets its answers' department to NULL, so its rows go with it.
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    # "all", or "<dimension>:<value>": employee:7, channel:email, language:da, region:Nord,
    # product:Bike, source:recommendation (departments are the column above)
    key = models.CharField(max_length=120)
    c0 = models.PositiveIntegerField(default=0)
    c1 = models.PositiveIntegerField(default=0)
    c2 = models.PositiveIntegerField(default=0)
    c3 = models.PositiveIntegerField(default=0)
    c4 = models.PositiveIntegerField(default=0)
    c5 = models.PositiveIntegerField(default=0)
    c6 = models.PositiveIntegerField(default=0)
    c7 = models.PositiveIntegerField(default=0)
    c8 = models.PositiveIntegerField(default=0)
    c9 = models.PositiveIntegerField(default=0)
    c10 = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def histogram(self) -> list[int]:
        return [getattr(self, f) for f in SCORE_FIELDS]


class Rollup(RollupCounts):
    class Meta:
        constraints = [
            # two partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks
            models.UniqueConstraint(fields=["organization", "survey", "day", "key"], name="rollup_unique_slice",
                                    condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "survey", "day", "department", "key"],
                                    name="rollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        # `key` in varchar_pattern_ops: a breakdown's `key LIKE 'channel:%'` (and `key = 'all'`) is
        # then a range of the index, not a filter over every row of the scope (the database's
        # C.UTF-8 collation does not make LIKE indexable): 400 ms → 1 ms a breakdown at 2 000 000
        indexes = [models.Index(fields=["organization", "department", "key", "day"], name="rollup_scope_key_prefix_day",
                                opclasses=["", "", "varchar_pattern_ops", ""]),
                   # the breakdown by department (every department's rows of one key): the scope
                   # index can only filter them, since its department is a range there (90 → 9 ms
                   # at 2 000 000 answers)
                   models.Index(fields=["organization", "key", "day"], name="rollup_department_breakdown",
                                opclasses=["", "varchar_pattern_ops", ""],
                                condition=models.Q(department__isnull=False))]


class SegmentRollup(RollupCounts):
    """The same rows as `Rollup`, counted over one saved segment's answers (its contacts'), so a
    segment's dashboard reads rollups too (docs/performance.md, issue 16). A table of its own
    rather than a `segment` column on `Rollup`: every reader of `Rollup` (the department views,
    the employees' anonymity units, the reports) keeps counting each answer once without a
    `segment IS NULL` it could forget, its constraints stay two, and a segment's rows are
    replaced wholesale (one DELETE by segment) when its members may have changed.

    Kept equal to a recount by `dashboards.segment_rollups` (built whole by one INSERT … SELECT
    … GROUP BY) and `dashboards.rollups.rollup_refresh` (each survey-day slice, for every
    segment with a `SegmentRollupState`); read only while that state says they are current."""

    # the index below leads with the organization and the segment: no index of its own
    segment = models.ForeignKey("contacts.Segment", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "key"],
                                    name="segment_rollup_unique_slice", condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "department", "key"],
                                    name="segment_rollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        indexes = [models.Index(fields=["organization", "segment", "department", "key", "day"],
                                name="segment_rollup_scope_prefix", opclasses=["", "", "", "varchar_pattern_ops", ""]),
                   models.Index(fields=["organization", "segment", "key", "day"], name="segment_rollup_dept_breakdown",
                                opclasses=["", "", "varchar_pattern_ops", ""],
                                condition=models.Q(department__isnull=False))]


class SegmentRollupState(TenantModel):
    """Whether a saved segment's `SegmentRollup` rows may be read. `wanted` goes up whenever
    its members may have changed (a contact edited, imported, tagged, deleted, suppressed; the
    segment saved) — in the same transaction as the change; a build records the `wanted` it
    read before counting as `built`, and the segment's filters it counted. The rows are current
    while `built == wanted` and `filters` are the segment's; otherwise the dashboard counts the
    raw answers and a build is queued."""

    segment = models.ForeignKey("contacts.Segment", on_delete=models.CASCADE, related_name="+", db_index=False)
    wanted = models.PositiveBigIntegerField(default=1)
    built = models.PositiveBigIntegerField(null=True, blank=True)
    filters = models.JSONField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "segment"],
                                               name="segment_rollup_state_unique_segment")]

    @property
    def current(self) -> bool:
        return self.built == self.wanted and self.filters == self.segment.filters


class ReportSubscription(TenantModel):
    """A member's scheduled email of a dashboard view (its filters kept as the query string)."""

    class Every(models.TextChoices):
        WEEK = "week", _("weekly (on Mondays)")
        MONTH = "month", _("monthly (on the 1st)")

    user = models.ForeignKey("organizations.User", on_delete=models.CASCADE, related_name="+")
    every = models.CharField(max_length=8, choices=Every.choices)
    query = models.CharField(max_length=500, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="report_subscription_unique_user"),
        ]
