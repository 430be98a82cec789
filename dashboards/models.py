"""Rollups: for each survey, day (in the organization's time zone) and breakdown key, the count
of each score 0–10 and of comments. Dashboards read these, so their cost follows the number of
days and groups shown, not the number of answers."""

from __future__ import annotations

from django.db import models

from nps_platform.tenancy import TenantModel

SCORE_FIELDS = [f"c{i}" for i in range(11)]


class Rollup(TenantModel):
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # "all", or "<dimension>:<value>": department:12, employee:7, channel:email, language:da,
    # region:Nord, product:Bike, source:recommendation
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
        constraints = [
            models.UniqueConstraint(fields=["organization", "survey", "day", "key"], name="rollup_unique_slice"),
        ]
        indexes = [models.Index(fields=["organization", "key", "day"])]

    @property
    def histogram(self) -> list[int]:
        return [getattr(self, f) for f in SCORE_FIELDS]


class ReportSubscription(TenantModel):
    """A member's scheduled email of a dashboard view (its filters kept as the query string)."""

    class Every(models.TextChoices):
        WEEK = "week", "Weekly (Mondays)"
        MONTH = "month", "Monthly (the 1st)"

    user = models.ForeignKey("organizations.User", on_delete=models.CASCADE, related_name="+")
    every = models.CharField(max_length=8, choices=Every.choices)
    query = models.CharField(max_length=500, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="report_subscription_unique_user"),
        ]
