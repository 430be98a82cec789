"""Survey design: a survey is edited as a draft (its questions, choices, texts and links) and
published as an immutable version, a JSON snapshot that respondents see and responses point at.

Texts that respondents read are stored per language: `{"en": "...", "da": "..."}`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel

CATEGORIES = ("promoter", "passive", "detractor")


class SurveyKind(models.TextChoices):
    CNPS = "cnps", _("Customer NPS")
    ENPS = "enps", _("Employee NPS (anonymous)")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class QuestionType(models.TextChoices):
    NPS = "nps", _("NPS 0–10")
    TEXT = "text", _("Open text")
    SINGLE = "single_choice", _("Single choice")
    MULTI = "multi_choice", _("Multiple choice")
    CSAT = "csat", _("CSAT 1–5 (touchpoint)")


class Survey(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices, default=SurveyKind.CNPS)
    status = models.CharField(_("status"), max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    template = models.CharField(max_length=32, blank=True)
    default_language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES,
                                        default="en")
    languages = models.JSONField(_("languages"), default=list,
                                 help_text=_("Every language respondents may answer in, the default included."))
    company_name = models.CharField(
        _("company or brand name"), max_length=200, blank=True,
        help_text=_("Replaces {company} in question texts. Empty: the organization's name."),
    )
    # Thank-you page, per language: {"en": {"promoter": "...", "passive": "...", "detractor": "..."}}
    thank_you = models.JSONField(default=dict, blank=True)
    # The line above the review and referral links, per language and category, same shape.
    review_invite = models.JSONField(default=dict, blank=True)
    current_version = models.ForeignKey(
        "SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    has_unpublished_changes = models.BooleanField(default=True)
    # A survey-level link for counters, receipts, kiosks and web sites (`/s/<token>/`).
    public_enabled = models.BooleanField(_("public link open"), default=False)
    public_token = models.CharField(max_length=80, blank=True)
    ask_department = models.BooleanField(
        _("ask which department (store, branch) on the public link"), default=False)
    ask_employee = models.BooleanField(_("ask who served them on the public link"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["organization", "public_token"], name="survey_unique_public_token",
                                    condition=~models.Q(public_token="")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_anonymous(self) -> bool:
        return self.kind == SurveyKind.ENPS

    @property
    def all_languages(self) -> list[str]:
        return [self.default_language, *[c for c in self.languages if c != self.default_language]]


class Question(TenantModel):
    """One question of the draft. `texts` per language: {"text", "help", and by type
    "low_label"/"high_label" (NPS, CSAT), "text_promoter"/"text_passive"/"text_detractor"
    (open text, optional per-category wording), "other_label" (choices with "Other")}."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    key = models.SlugField(max_length=40, help_text=_("A stable name for exports and the API."))
    required = models.BooleanField(_("required"), default=False)
    allow_other = models.BooleanField(_("offer “Other: …” with free text"), default=False)
    is_source = models.BooleanField(
        _("acquisition source question"), default=False,
        help_text=_("Dashboards read its answers as where the customer came from."),
    )
    per_category = models.BooleanField(
        _("different wording per category"), default=False,
        help_text=_("Promoters, passives and detractors each get their own wording."),
    )
    texts = models.JSONField(default=dict)
    # For texts that came from a template: the English original, so a newly added language can
    # start from our own translation while the admin has not changed the wording.
    template_texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "survey", "key"], name="question_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Choice(TenantModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=40)
    texts = models.JSONField(default=dict)  # {"en": "Search engine", ...}
    template_texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "question", "key"], name="choice_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class ReviewLink(TenantModel):
    """A review or referral site offered on the thank-you page, to every respondent."""

    class Site(models.TextChoices):
        GOOGLE = "google", "Google"
        TRUSTPILOT = "trustpilot", "Trustpilot"
        REFERRAL = "referral", _("Referral programme")
        OTHER = "other", _("Other")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="review_links")
    position = models.PositiveIntegerField(default=0)
    site = models.CharField(_("site"), max_length=16, choices=Site.choices, default=Site.GOOGLE)
    url = models.URLField(_("address"), max_length=500)
    texts = models.JSONField(default=dict)  # the link's label per language

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.url


class SurveyVersion(TenantModel):
    """An immutable published snapshot. Responses point at the version they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "survey", "number"], name="surveyversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A published survey version is immutable.")
        super().save(*args, **kwargs)
