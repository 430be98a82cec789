"""The comment explorer's theme and sentiment filters and each comment's badges, plugged into
`dashboards.comments` (which does not import this stage)."""

from __future__ import annotations

from dashboards import comments

from .models import CommentAnalysis, CommentTheme, Sentiment, Theme


def _param(params, name: str) -> str:
    value = params.get(name, "") if hasattr(params, "get") else ""
    return value[:60] if isinstance(value, str) else ""


def explorer_filter(qs, params):
    sentiment = _param(params, "sentiment")
    if sentiment in Sentiment.values:
        qs = qs.filter(pk__in=CommentAnalysis.objects.filter(sentiment=sentiment).values("response_id"))
    key = _param(params, "theme")
    if key:
        theme = Theme.objects.filter(key=key).first()
        ids = [theme.pk] if theme else []
        if theme:  # a merged theme's comments are its successor's, and the successor shows them too
            ids += list(Theme.objects.filter(merged_into=theme).values_list("pk", flat=True))
        qs = qs.filter(pk__in=CommentTheme.objects.filter(theme_id__in=ids).values("analysis__response_id"))
    return qs


def explorer_details(rows) -> None:
    """Sets `insight` (sentiment, label, confidence, themes) on each comment shown."""
    ids = [r.pk for r in rows]
    analyses = {a.response_id: a for a in CommentAnalysis.objects.filter(response_id__in=ids)}
    themes: dict[int, list] = {}
    for link in CommentTheme.objects.filter(analysis__in=analyses.values()).select_related("theme").order_by("rank"):
        themes.setdefault(link.analysis_id, []).append(link.theme)
    for r in rows:
        a = analyses.get(r.pk)
        r.insight = None if a is None else {
            "sentiment": a.sentiment, "label": a.get_sentiment_display(), "confidence": round(100 * a.confidence),
            "themes": themes.get(a.pk, [])}


def install() -> None:
    if explorer_filter not in comments.comment_filters:
        comments.comment_filters.append(explorer_filter)
    if explorer_details not in comments.comment_details:
        comments.comment_details.append(explorer_details)
