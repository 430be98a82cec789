"""Responses and their answers. One response per invitation (a database constraint); a change
keeps the earlier state in ResponseChange."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel


class Channel(models.TextChoices):
    EMAIL = "email", _("Email link")
    LINK = "link", _("Public link")
    QR = "qr", _("QR code")
    EMBED = "embed", _("Embedded on a web site")
    API = "api", _("API")


class Response(TenantModel):
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey("surveys.SurveyVersion", on_delete=models.PROTECT, related_name="responses")
    invitation = models.ForeignKey("distribution.Invitation", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="responses")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="responses")
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="responses")
    employee = models.ForeignKey("organizations.Employee", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="responses")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=8)
    score = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=10)
    answers = models.JSONField(default=dict, blank=True)  # question key → text, choice keys, or a number
    comment = models.TextField(blank=True)  # the primary reason, for search and the comment explorer
    # An employee (anonymous) answer keeps no invitation: it is found again from the respondent's
    # own link by this HMAC of the link under SECRET_KEY, which a copy of the database alone
    # cannot recompute, and its times are kept to the day.
    anonymous_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "invitation"], name="response_unique_invitation",
                                    condition=models.Q(invitation__isnull=False)),
            models.UniqueConstraint(fields=["organization", "anonymous_key"], name="response_unique_anonymous_key",
                                    condition=~models.Q(anonymous_key="")),
        ]
        indexes = [models.Index(fields=["organization", "survey", "created_at"])]

    def __str__(self) -> str:
        return f"{self.score} ({self.category})"


class ResponseChange(TenantModel):
    """The state of a response before a respondent changed it."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    score = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at"]


class ResponseOutbox(TenantModel):
    """An answer handed on to the later stages (the closed loop, the rollups, the comment
    analysis): written in the same transaction as the answer (or its change, or its deletion),
    and deleted by a worker's consumer (`responses.outbox`) in the same transaction as what it
    starts there, so an event is handled once even when a worker dies mid-batch. A narrow table
    of its own rather than a mark on the answer: clearing a mark would rewrite the answer's row
    and every index on it (its trigram index too) a second time per answer."""

    class Kind(models.IntegerChoices):
        CREATED = 1, "created"
        CHANGED = 2, "changed"
        DELETED = 3, "deleted"

    response_id = models.BigIntegerField()  # no foreign key: a deletion's event outlives its answer
    survey_id = models.BigIntegerField()
    answered_at = models.DateTimeField()  # the answer's created_at: its (survey, day) slice
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    has_comment = models.BooleanField(default=False)
    due_at = models.DateTimeField(db_default=Now())  # later when a handler failed (a retry)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "responses_outbox"
        indexes = [models.Index(fields=["due_at"], name="responses_outbox_due")]
