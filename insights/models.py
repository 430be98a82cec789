"""What the comments say: each organization's theme taxonomy (seeded from the engine's starter
set, edited by its admins), each comment's sentiment and themes, and the suggested new themes
the engine found among comments that fit none; and the comment figures as rollups (per survey,
day, department scope and category), so the dashboard's sentiment card and the drivers cost
what the dashboard's own figures do, not a scan of the answers."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from nps_platform.tenancy import TenantModel


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Theme(TenantModel):
    """A theme of the organization's taxonomy. `names` holds a name per language (the starter
    set comes in every language); `name` is what an admin typed, shown where a language has none.
    A theme is never deleted: it is deactivated, or merged into another (then inactive too)."""

    key = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="theme_unique_key")]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "en")[:2]
        return self.names.get(language) or self.name or self.names.get("en") or self.key


class ThemeExample(TenantModel):
    """A phrase, in any language, that says the theme: the engine matches comments to it."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="examples")
    text = models.CharField(_("example"), max_length=300)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "theme", "text"],
                                               name="themeexample_unique_text")]

    def __str__(self) -> str:
        return self.text


class CommentAnalysis(TenantModel):
    """One response's comment as the engine read it. `fingerprint` covers the text, the
    taxonomy and the engine: an analysis whose fingerprint still matches is not redone."""

    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="comment_analyses")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    confidence = models.FloatField()
    themes = models.ManyToManyField(Theme, through="CommentTheme", related_name="analyses")
    engine = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)
    analysed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "response"],
                                               name="commentanalysis_unique_response")]
        indexes = [models.Index(fields=["organization", "sentiment"])]


class CommentTheme(TenantModel):
    analysis = models.ForeignKey(CommentAnalysis, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="comment_links")
    rank = models.PositiveSmallIntegerField(default=0)  # 0: the best match

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "analysis", "theme"],
                                               name="commenttheme_unique_theme")]


class ThemeSuggestion(TenantModel):
    """A cluster of comments that fit no theme, for an admin to accept (it becomes a theme with
    its key phrases as examples) or dismiss (a dismissed cluster is not suggested again)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    fingerprint = models.CharField(max_length=64)  # of the key phrases
    key_phrases = models.JSONField(default=list)
    examples = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-size", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "fingerprint"],
                                               name="themesuggestion_unique_fingerprint")]

    def __str__(self) -> str:
        return ", ".join(self.key_phrases[:3])


class SentimentRollup(TenantModel):
    """For each survey, day (in the organization's time zone), department scope, category and
    sentiment: how many answers have a comment (`sentiment` "": not analysed yet, or the engine
    failed on it). As in `dashboards.Rollup`, each answer counts in the organization-wide row
    (department NULL) and, when it has a department, in that department's own row, so a
    department filter or a manager's scope sums its departments' rows exactly
    (`insights.rollups` keeps them equal to a recount)."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    category = models.CharField(max_length=10)
    sentiment = models.CharField(max_length=8, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "survey", "day", "category", "sentiment"],
                                    name="sentimentrollup_unique_slice", condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "survey", "day", "department", "category", "sentiment"],
                                    name="sentimentrollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        indexes = [models.Index(fields=["organization", "department", "day"], name="sentimentrollup_scope_day")]


class ThemeRollup(TenantModel):
    """For each survey, day, department scope (as `SentimentRollup`), theme and category: how
    many commented answers mention the theme (an analysis names a theme once)."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=10)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "survey", "day", "theme", "category"],
                                    name="themerollup_unique_slice", condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "survey", "day", "department", "theme", "category"],
                                    name="themerollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        indexes = [models.Index(fields=["organization", "department", "day"], name="themerollup_scope_day")]


class SegmentSentimentRollup(TenantModel):
    """`SentimentRollup`'s rows over one saved segment's answers (its contacts'), a table of its
    own so that no reader of the organization's rows can count an answer twice. Read while
    `SegmentCommentRollupState` says they are current."""

    segment = models.ForeignKey("contacts.Segment", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    category = models.CharField(max_length=10)
    sentiment = models.CharField(max_length=8, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "category", "sentiment"],
                                    name="segmentsentimentrollup_unique_slice",
                                    condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "department", "category",
                                            "sentiment"],
                                    name="segmentsentimentrollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        indexes = [models.Index(fields=["organization", "segment", "department", "day"],
                                name="segmentsentiment_scope_day")]


class SegmentThemeRollup(TenantModel):
    """`ThemeRollup`'s rows over one saved segment's answers (as `SegmentSentimentRollup`)."""

    segment = models.ForeignKey("contacts.Segment", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    department = models.ForeignKey("organizations.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=10)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "theme", "category"],
                                    name="segmentthemerollup_unique_slice",
                                    condition=models.Q(department__isnull=True)),
            models.UniqueConstraint(fields=["organization", "segment", "survey", "day", "department", "theme",
                                            "category"],
                                    name="segmentthemerollup_unique_department_slice",
                                    condition=models.Q(department__isnull=False)),
        ]
        indexes = [models.Index(fields=["organization", "segment", "department", "day"],
                                name="segmenttheme_scope_day")]


class SegmentCommentRollupState(TenantModel):
    """Whether a segment's comment rollups may be read. The dashboards keep, per saved segment, a
    number that goes up in the transaction of any change that may move contacts in or out
    (`dashboards.SegmentRollupState.wanted`); a build records the number it read before counting
    (`built`) and the filters it counted. Current while `built` is that number and `filters` are
    the segment's; otherwise the pages count the segment's answers in SQL and a build is queued."""

    segment = models.ForeignKey("contacts.Segment", on_delete=models.CASCADE, related_name="+", db_index=False)
    built = models.PositiveBigIntegerField(null=True, blank=True)
    filters = models.JSONField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "segment"],
                                               name="segmentcommentrollupstate_unique")]
