"""The people we survey: contacts with their attributes, tags and saved segments, the
organization's suppression list, and the record of each import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("organization", Lower("name"), name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Contact(TenantModel):
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    department = models.ForeignKey("organizations.Department", verbose_name=_("department"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="contacts")
    employee = models.ForeignKey("organizations.Employee", verbose_name=_("responsible employee"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="contacts")
    region = models.CharField(_("region"), max_length=100, blank=True)
    product = models.CharField(_("product"), max_length=100, blank=True)
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    revenue_12m = models.DecimalField(_("revenue, last 12 months"), max_digits=14, decimal_places=2, null=True,
                                      blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    # The last time any survey was sent or scheduled for this person: the quiet period reads it.
    last_invited_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint("organization", Lower("email"), name="contact_unique_email")]
        indexes = [models.Index(fields=["organization", "email"]),
                   # "does any contact carry revenue?" (the dashboard's economics section): without
                   # it, a scan of every contact of the organization on every dashboard view
                   models.Index(fields=["organization"], name="contact_with_revenue",
                                condition=models.Q(revenue_12m__isnull=False))]

    def __str__(self) -> str:
        return self.name or self.email


class Segment(TenantModel):
    """A saved filter over contacts; its `filters` are those of the contact list page."""

    name = models.CharField(_("name"), max_length=200)
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Suppression(TenantModel):
    """An address this organization never emails again."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        MANUAL = "manual", _("Added by an admin")

    email = models.EmailField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint("organization", Lower("email"), name="suppression_unique_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class ContactImport(TenantModel):
    """One uploaded file: its column mapping, progress, and the lines it could not take."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MAPPING)
    mapping = models.JSONField(default=dict, blank=True)  # our field → the file's column
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first 1 000 "Line N: reason"
    # Lines repeating an earlier line's email: merged into that contact, neither new nor updated,
    # so new + updated + repeated + skipped is the file's number of rows.
    duplicate_count = models.PositiveIntegerField(default=0)
    duplicates = models.JSONField(default=list, blank=True)  # the first 1 000 "Line N: … line M"
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
