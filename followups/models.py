"""The closed loop: rules say what an answer starts (an alert, a case, by category, survey and
department); alerts go out once per (rule, response); cases have an owner, a due time from the
SLA and a timeline; webhooks tell other systems, signed, with a delivery log."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel


class Rule(TenantModel):
    class Category(models.TextChoices):
        DETRACTOR = "detractor", _("Detractors (0–6)")
        PASSIVE = "passive", _("Passives (7–8)")
        PROMOTER = "promoter", _("Promoters (9–10)")

    class SlaClock(models.TextChoices):
        WALL = "wall", _("Around the clock")
        BUSINESS = "business", _("Business hours (Mon–Fri 8–16, organization time zone)")

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("answers from"), max_length=10, choices=Category.choices)
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("only this survey"), null=True, blank=True,
                               on_delete=models.CASCADE)
    department = models.ForeignKey("organizations.Department", verbose_name=_("only this department"), null=True,
                                   blank=True, on_delete=models.CASCADE)
    notify_email = models.BooleanField(_("email the responsible person"), default=True)
    open_case = models.BooleanField(_("open a follow-up case"), default=True)
    sla_hours = models.PositiveIntegerField(_("respond within (hours)"), default=48,
                                            validators=[MinValueValidator(1), MaxValueValidator(24 * 365)])
    sla_clock = models.CharField(_("count hours"), max_length=10, choices=SlaClock.choices, default=SlaClock.WALL)
    playbook = models.TextField(_("what to do"), blank=True,
                                help_text=_("Shown on the alert and the case, e.g. “Call within 48 hours and "
                                            "find out what went wrong.”"))
    slack_webhook_url = models.URLField(_("Slack incoming webhook"), blank=True)
    teams_webhook_url = models.URLField(_("Microsoft Teams incoming webhook"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Case(TenantModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Reason(models.TextChoices):
        FIXED = "fixed", _("Problem fixed")
        EXPLAINED = "explained", _("Explained / expectation set")
        COMPENSATED = "compensated", _("Compensated")
        NO_CONTACT = "no_contact", _("Could not reach the customer")
        NO_ACTION = "no_action", _("No action needed")
        THANKED = "thanked", _("Thanked / review asked")

    OPEN = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)

    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="cases")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    category = models.CharField(max_length=10)
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="cases")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="cases")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    reason = models.CharField(_("reason for closing"), max_length=12, choices=Reason.choices, blank=True)
    due_at = models.DateTimeField(_("due"))
    first_action_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "response"], name="case_unique_response"),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CaseEvent(TenantModel):
    """The case's timeline: notes, changes, replies to the customer, alerts and escalations."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTE = "note", _("Note")
        STATUS = "status", _("Status changed")
        OWNER = "owner", _("Owner changed")
        REPLY = "reply", _("Reply to the customer")
        REMINDER = "reminder", _("Reminder sent")
        ESCALATED = "escalated", _("Escalated")
        RESURVEY = "resurvey", _("Re-survey scheduled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Alert(TenantModel):
    """One alert per (rule, response), ever."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="alerts")
    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="alerts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    recipients = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule", "response"], name="alert_unique_rule_response"),
        ]


class Webhook(TenantModel):
    EVENTS = ("response.created", "response.detractor", "case.updated")

    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantModel):
    """One event for one webhook: the log, and the unit of retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        RETRY = "retry", _("Waiting to retry")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "webhook", "event_id"], name="delivery_unique_event"),
        ]


class DigestSend(TenantModel):
    """One weekly digest per department and week, ever."""

    department = models.ForeignKey("organizations.Department", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday of the week it covers
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "department", "week"], name="digest_unique_week"),
        ]
