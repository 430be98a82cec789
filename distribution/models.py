"""Campaigns send a survey to an audience; each contact gets one invitation per campaign, and
each email (the invitation, the reminder) is one recorded send. All schedule and send state
lives here, in PostgreSQL: the broker only carries ids."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel


class Campaign(TenantModel):
    class Audience(models.TextChoices):
        ALL_CONTACTS = "all", _("All contacts")
        SEGMENT = "segment", _("A saved segment")
        TAG = "tag", _("Contacts with a tag (a list)")
        EMPLOYEES = "employees", _("The organization's employees")

    class Schedule(models.TextChoices):
        ONCE = "once", _("Once")
        RECURRING = "recurring", _("Recurring, to a rolling sample")
        TRIGGERED = "triggered", _("Triggered by an event")

    class Every(models.TextChoices):
        WEEK = "week", _("Every week")
        MONTH = "month", _("Every month")
        QUARTER = "quarter", _("Every quarter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        FINISHED = "finished", _("Finished")

    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("survey"), on_delete=models.PROTECT,
                               related_name="campaigns")
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.ALL_CONTACTS)
    segment = models.ForeignKey("contacts.Segment", verbose_name=_("segment"), null=True, blank=True,
                                on_delete=models.PROTECT)
    tag = models.ForeignKey("contacts.Tag", verbose_name=_("tag"), null=True, blank=True, on_delete=models.PROTECT)
    schedule = models.CharField(_("schedule"), max_length=12, choices=Schedule.choices, default=Schedule.ONCE)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True,
                                   help_text=_("Empty: as soon as the campaign starts."))
    every = models.CharField(_("how often"), max_length=8, choices=Every.choices, blank=True)
    # Every number has a bound (a date 3 000 000 days away overflows; 10⁹ contacts never exist).
    sample_size = models.PositiveIntegerField(_("contacts per period"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(1_000_000)])
    sample_percent = models.PositiveIntegerField(_("or % of the audience per period"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    trigger_delay_days = models.PositiveIntegerField(_("days after the event"), default=7,
                                                     validators=[MaxValueValidator(365)])
    quiet_period_days = models.PositiveIntegerField(
        _("quiet period (days)"), null=True, blank=True, validators=[MaxValueValidator(730)],
        help_text=_("Empty: the organization's setting. Nobody surveyed within it is asked again."))
    reminder_after_days = models.PositiveIntegerField(
        _("remind non-responders after (days)"), null=True, blank=True, default=3,
        validators=[MaxValueValidator(90)],
        help_text=_("One reminder. Empty: no reminder."))
    link_valid_days = models.PositiveIntegerField(_("links expire after (days)"), default=30,
                                                  validators=[MinValueValidator(1), MaxValueValidator(730)])
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    # Why the last run failed (shown to the organization's admins); cleared by the next good run.
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_run_at"])]

    def __str__(self) -> str:
        return self.name

    def effective_quiet_days(self) -> int:
        return self.quiet_period_days if self.quiet_period_days is not None else self.organization.quiet_period_days


class Invitation(TenantModel):
    """One person's personal link for one campaign."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="invitations")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="invitations")
    employee = models.ForeignKey("organizations.Employee", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="invitations")
    email = models.EmailField()
    language = models.CharField(max_length=8)
    # The link's secret: token = HMAC(SECRET_KEY, nonce); the database holds the nonce and the
    # token's hash, so a copy of the database alone opens no survey.
    token_nonce = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    reminder_enqueued_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    event_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "campaign", "contact"], name="invitation_unique_contact"),
            models.UniqueConstraint(fields=["organization", "campaign", "employee"],
                                    name="invitation_unique_employee"),
            models.UniqueConstraint(fields=["organization", "token_hash"], name="invitation_unique_token"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"]), models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.campaign}"


class EmailSend(TenantModel):
    """One email of one kind for one invitation, ever: the row is claimed before the message
    goes out, so a repeated task, tick or beat finds it and sends nothing."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Waiting to retry")
        FAILED = "failed", _("Failed")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="sends")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Its worker died between claiming and marking it sent, so the first attempt may have been
    # accepted by the mail server: sent again, and shown as "may have been sent twice".
    maybe_duplicate = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "invitation", "kind"], name="emailsend_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.invitation_id} ({self.status})"
