"""Reads of the comment insights for one dashboard (`dashboards.selectors.Dashboard`): its
filters, its reader's scope (`organizations.access` through `board.responses()`) and, for
employee answers, only comments from anonymity units the reader may see (`board.unit_of`), and
no theme figure about fewer answers than the organization's anonymity threshold.

Drivers: per theme, the share of each category's comments that mention it, the NPS of the
answers that mention it, its effect on the NPS (the NPS without its detractors, less the NPS),
and its trend by week."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dashboards.comments import comments_for
from nps_platform.nps_math import Score, nps, score_from_categories
from organizations import access

from .models import CommentAnalysis, CommentTheme, Sentiment, Theme

CATEGORIES = ("promoter", "passive", "detractor")
SAMPLES = 3


@dataclass
class Comment:
    response_id: int
    category: str
    week: dt.date
    sentiment: str | None
    unit: tuple | None = None  # employee answers: (survey, week, unit root)
    theme_ids: list[int] = field(default_factory=list)


def _comments(board) -> tuple[list[Comment], Counter, Counter]:
    """The board's comments the reader's figures may be made of, with their analyses; the
    board's answers by category (every answer, with a comment or not: the NPS's own base); and,
    for employee answers, each shown unit's number of answers."""
    cache = board._units_cache
    if ("insights",) in cache:
        return cache[("insights",)]
    qs = board.responses()
    categories: Counter = Counter()
    units: Counter = Counter()
    rows = []
    for pk, survey_id, department_id, created_at, category, comment in qs.values_list(
            "pk", "survey_id", "department_id", "created_at", "category", "comment").order_by().iterator(
            chunk_size=5000):
        week = access.week_start(created_at.astimezone(board.tz).date())
        unit = None
        if board.anonymous:
            root = board.unit_of(_Row(survey_id, department_id, created_at))
            if root == access.HIDDEN:
                continue  # from a group too small to be shown
            unit = (survey_id, week, root)
            units[unit] += 1
        categories[category] += 1
        if comment:
            rows.append(Comment(pk, category, week, None, unit))
    by_id = {c.response_id: c for c in rows}
    analyses = dict(CommentAnalysis.objects.filter(response_id__in=by_id).values_list("pk", "response_id"))
    for analysis_id, sentiment in CommentAnalysis.objects.filter(pk__in=analyses).values_list("pk", "sentiment"):
        by_id[analyses[analysis_id]].sentiment = sentiment
    for analysis_id, theme_id in CommentTheme.objects.filter(analysis_id__in=analyses).order_by(
            "rank").values_list("analysis_id", "theme_id"):
        by_id[analyses[analysis_id]].theme_ids.append(theme_id)
    cache[("insights",)] = rows, categories, units
    return rows, categories, units


@dataclass(frozen=True)
class _Row:
    survey_id: int
    department_id: int | None
    created_at: dt.datetime


def _threshold(board) -> int:
    return board.organization.anonymity_threshold if board.anonymous else 1


def sentiment_summary(board) -> dict:
    """The share of positive, neutral and negative comments under the dashboard's filters."""
    rows, _categories, _units = _comments(board)
    counts = Counter(c.sentiment for c in rows if c.sentiment)
    total = sum(counts.values())
    if total < _threshold(board):
        return {"total": 0, "rows": [], "hidden": total > 0}
    return {"total": total, "hidden": False, "rows": [
        {"sentiment": value, "label": label, "n": counts[value], "share": round(100 * counts[value] / total)}
        for value, label in Sentiment.choices]}


def _category_score(counter: Counter) -> Score:
    return score_from_categories(counter["promoter"], counter["passive"], counter["detractor"])


def _mentions(board, rows, units) -> list[tuple[int, Comment]]:
    """(theme, comment) for each theme a comment mentions. Employee answers: only from *cells* —
    one theme in one anonymity unit — of at least the threshold's answers whose rest in the unit
    (those not mentioning it) is empty or again at least the threshold. Every theme figure is then
    a sum of whole cells, so no figure, and no difference of two (two departments, two weeks, a
    theme and its unit), is about fewer people than the threshold."""
    pairs = [(theme_id, c) for c in rows for theme_id in dict.fromkeys(c.theme_ids)]
    if not board.anonymous:
        return pairs
    threshold = board.organization.anonymity_threshold
    cells = Counter((theme_id, c.unit) for theme_id, c in pairs)
    kept = {cell for cell, n in cells.items()
            if n >= threshold and (units[cell[1]] - n == 0 or units[cell[1]] - n >= threshold)}
    return [(theme_id, c) for theme_id, c in pairs if (theme_id, c.unit) in kept]


def drivers(board) -> dict:
    """Each theme's figures (see the module's note), best-known first; employee answers only
    from whole cells (`_mentions`), and a theme with none is left out."""
    rows, categories, units = _comments(board)
    threshold = _threshold(board)
    overall = _category_score(categories)
    commented = Counter(c.category for c in rows)
    per_theme: dict[int, Counter] = defaultdict(Counter)
    weekly: dict[int, dict[dt.date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    mentioned = {theme_id for c in rows for theme_id in c.theme_ids}
    for theme_id, c in _mentions(board, rows, units):
        per_theme[theme_id][c.category] += 1
        weekly[theme_id][c.week][c.category] += 1
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=mentioned)}
    out = []
    hidden = sum(1 for theme_id in mentioned if theme_id in themes and theme_id not in per_theme)
    for theme_id, counter in per_theme.items():
        n = sum(counter.values())
        if n < threshold or theme_id not in themes:
            hidden += theme_id in themes
            continue
        without = None
        if overall.n - counter["detractor"] > 0:
            without = nps(categories["promoter"], categories["passive"], categories["detractor"] - counter["detractor"])
        out.append({
            "theme": themes[theme_id], "n": n, "score": _category_score(counter),
            "shares": {cat: round(100 * counter[cat] / commented[cat]) if commented[cat] else None
                       for cat in CATEGORIES},
            "without_detractors": without,
            "effect": None if without is None or overall.nps is None else without - overall.nps,
            "trend": [{"week": week, "score": _category_score(c)}
                      for week, c in sorted(weekly[theme_id].items()) if sum(c.values()) >= threshold],
        })
    out.sort(key=lambda r: (-(r["effect"] or 0), -r["n"], r["theme"].label()))
    return {"overall": overall, "comments": len(rows), "themes": out, "hidden": hidden,
            "unanalysed": sum(1 for c in rows if c.sentiment is None)}


def why(board) -> list[dict]:
    """Why detractors, why promoters: each category's most mentioned themes, with a few of the
    comments the reader may see (from the comment explorer's own reading)."""
    rows, _categories, units = _comments(board)
    threshold = _threshold(board)
    themes = {t.pk: t for t in Theme.objects.all()}
    mentions = _mentions(board, rows, units)
    out = []
    for category, title in (("detractor", _("Why detractors")), ("promoter", _("Why promoters"))):
        mine = [c for c in rows if c.category == category]
        counter = Counter(theme_id for theme_id, c in mentions if c.category == category)
        top = []
        for theme_id, n in counter.most_common(5):
            if n < threshold or theme_id not in themes:
                continue
            samples = comments_for(board=board, category=category, params={"theme": themes[theme_id].key})[:SAMPLES]
            top.append({"theme": themes[theme_id], "n": n, "share": round(100 * n / len(mine)),
                        "samples": samples})
        out.append({"category": category, "title": title, "n": len(mine), "themes": top})
    return out


def top_themes(board, limit: int = 5) -> list[dict]:
    """For the digest and the report emails: the most mentioned themes with their NPS."""
    figures = drivers(board)
    rows = sorted(figures["themes"], key=lambda r: (-r["n"], r["theme"].label()))[:limit]
    return [{"label": r["theme"].label(), "n": r["n"], "nps": r["score"].nps, "effect": r["effect"]} for r in rows]


def analysis_of(response) -> dict | None:
    """One response's sentiment and themes, for its page and its case's (the caller already
    decided the reader may see the response)."""
    analysis = CommentAnalysis.objects.filter(response_id=response.pk).first()
    if analysis is None:
        return None
    themes = [link.theme for link in CommentTheme.objects.filter(analysis=analysis).select_related("theme")
              .order_by("rank")]
    return {"sentiment": analysis.sentiment, "label": analysis.get_sentiment_display(),
            "confidence": round(100 * analysis.confidence), "themes": themes}
