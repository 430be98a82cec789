"""Reads of the comment insights for one dashboard (`dashboards.selectors.Dashboard`): its
filters, its reader's scope (`organizations.access`, as the board applies it) and, for
employee answers, only comments from anonymity units the reader may see (`board.unit_of`), and
no theme figure about fewer answers than the organization's anonymity threshold.

Customer answers are counted from the comment rollups (`insights.rollups`) exactly as the
dashboard's own figures are from its rollups: the period's days, the survey or kind, and the
organization-wide rows or, under a department filter or a manager's scope, the rows of the
board's departments (`board.department_ids`, the filter's subtree within the reader's scope).
A saved segment reads its own comment rollups (`SegmentSentimentRollup`, `SegmentThemeRollup`)
while they are current (`insights.rollups.segment_comment_rollups_current`; the drivers and why
pages build them on their first view if they were never built); until then its figures are one
GROUP BY over the analyses of its answers (`board.responses()`). Employee answers
are read per answer, since their anonymity units depend on the reader.

Drivers: per theme, the share of each category's comments that mention it, the NPS of the
answers that mention it, its effect on the NPS (the NPS without its detractors, less the NPS),
and its trend by week."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from dashboards.comments import comments_for
from nps_platform.nps_math import Score, nps, score_from_categories, score_from_histogram
from organizations import access

from .hooks import explorer_details
from .models import (
    CommentAnalysis,
    CommentTheme,
    SegmentSentimentRollup,
    SegmentThemeRollup,
    Sentiment,
    SentimentRollup,
    Theme,
    ThemeRollup,
)
from .rollups import segment_comment_rollups_current

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
    analysed = _analyses_of(qs)  # one subquery for both reads, no list of ids
    analyses = {}
    for analysis_id, response_id, sentiment in analysed.values_list("pk", "response_id", "sentiment"):
        if response_id in by_id:  # (an answer from a hidden unit is not among the rows)
            analyses[analysis_id] = response_id
            by_id[response_id].sentiment = sentiment
    for analysis_id, theme_id in CommentTheme.objects.filter(analysis__in=analysed.values("pk")).order_by(
            "rank").values_list("analysis_id", "theme_id"):
        if analysis_id in analyses:
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


@dataclass
class _Figures:
    """What the insight pages are made of, as counts: the board's answers by category (the
    NPS's own base), its commented answers by category, the analysed comments by sentiment, and
    per theme its mentions by category and by week (employee answers: whole cells only)."""
    categories: Counter
    commented: Counter
    sentiments: Counter
    mentions: dict[int, Counter]
    weekly: dict[int, dict[dt.date, Counter]]
    mentioned: set[int]


def _figures(board) -> _Figures:
    cache = board._units_cache
    if ("insights-figures",) not in cache:
        cache[("insights-figures",)] = _employee_figures(board) if board.anonymous else _customer_figures(board)
    return cache[("insights-figures",)]


def _customer_figures(board) -> _Figures:
    return _rollup_figures(board) if _from_rollups(board, build=True) else _segment_figures(board)


def _from_rollups(board, *, build: bool = False) -> bool:
    """Customer answers: the organization's rollups, or a segment's own while they are current.
    `build`: the insight pages (drivers, why) build a segment's comment rows on their first view
    if they were never built, then read them; the dashboard's card (a page that may read from a
    replica) only queues the build."""
    if not board.raw:
        return True
    key = ("insights-segment-rollups",)
    current, built_here = board._units_cache.get(key, (None, False))
    if current is None or (not current and build and not built_here):
        current = segment_comment_rollups_current(organization=board.organization,
                                                  segment_id=board.filters.segment_id, build=build)
        board._units_cache[key] = current, build
    return current


SEGMENT_MODELS = {SentimentRollup: SegmentSentimentRollup, ThemeRollup: SegmentThemeRollup}


def _rollup_rows(board, model):
    """The comment rollup rows (`model`) of the board's view, chosen as the dashboard chooses its
    own (`Dashboard._rollups`): the period's days, the survey or kind, and the organization-wide
    rows or those of the board's departments — of the segment's own rows on a segment's view."""
    filters = board.filters
    if board.raw:
        qs = SEGMENT_MODELS[model].objects.filter(segment_id=filters.segment_id, day__gte=filters.start,
                                                  day__lte=filters.end)
    else:
        qs = model.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.survey_id or filters.kind:
        qs = qs.filter(survey__in=board._surveys(filters))
    if board.department_ids is not None:
        qs = qs.filter(department_id__in=sorted(board.department_ids))
    else:
        qs = qs.filter(department__isnull=True)
    return qs.order_by()


def _rollup_figures(board) -> _Figures:
    """Customer answers without a segment: every figure from rollups — the answers by category
    from the dashboard's (`board.histogram()`), the comments by category and sentiment and the
    themes' mentions by category and week from the comment rollups. A few thousand rows per
    year shown, whatever the number of answers."""
    score = score_from_histogram(board.histogram())
    categories = Counter({"promoter": score.promoters, "passive": score.passives, "detractor": score.detractors})
    commented, sentiments = Counter(), Counter()
    for row in _rollup_rows(board, SentimentRollup).values("category", "sentiment").annotate(n=Sum("n")):
        commented[row["category"]] += row["n"]
        if row["sentiment"]:
            sentiments[row["sentiment"]] += row["n"]
    mentions: dict[int, Counter] = defaultdict(Counter)
    weekly: dict[int, dict[dt.date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in (_rollup_rows(board, ThemeRollup).annotate(week=TruncWeek("day"))
                .values("theme_id", "week", "category").annotate(n=Sum("n"))):
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        mentions[row["theme_id"]][row["category"]] += row["n"]
        weekly[row["theme_id"]][week][row["category"]] += row["n"]
    return _Figures(categories, commented, sentiments, mentions, weekly, set(mentions))


def _segment_figures(board) -> _Figures:
    """A segment's customer answers while its comment rollups are behind: every count in SQL
    (GROUP BY over the board's answers and their analyses), never a loop over the answers."""
    qs = board.responses().order_by()
    categories, commented = Counter(), Counter()
    for row in qs.values("category").annotate(n=Count("pk"), c=Count("pk", filter=~Q(comment=""))):
        categories[row["category"]] += row["n"]
        commented[row["category"]] += row["c"]
    analyses = _analyses_of(qs)
    sentiments = _by_sentiment(analyses)
    mentions: dict[int, Counter] = defaultdict(Counter)
    weekly: dict[int, dict[dt.date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    links = (CommentTheme.objects.filter(analysis__in=analyses.values("pk")).order_by()
             .annotate(week=TruncWeek("analysis__response__created_at", tzinfo=board.tz))
             .values("theme_id", "analysis__response__category", "week")
             .annotate(n=Count("analysis_id", distinct=True)))
    for row in links:
        category, week = row["analysis__response__category"], row["week"].date()
        mentions[row["theme_id"]][category] += row["n"]
        weekly[row["theme_id"]][week][category] += row["n"]
    return _Figures(categories, commented, sentiments, mentions, weekly, set(mentions))


def _employee_figures(board) -> _Figures:
    rows, categories, units = _comments(board)
    mentions: dict[int, Counter] = defaultdict(Counter)
    weekly: dict[int, dict[dt.date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for theme_id, c in _mentions(board, rows, units):
        mentions[theme_id][c.category] += 1
        weekly[theme_id][c.week][c.category] += 1
    return _Figures(categories, Counter(c.category for c in rows), Counter(c.sentiment for c in rows if c.sentiment),
                    mentions, weekly, {theme_id for c in rows for theme_id in c.theme_ids})


def sentiment_summary(board) -> dict:
    """The share of positive, neutral and negative comments under the dashboard's filters."""
    counts = _sentiment_counts(board)
    total = sum(counts.values())
    if total < _threshold(board):
        return {"total": 0, "rows": [], "hidden": total > 0}
    return {"total": total, "hidden": False, "rows": [
        {"sentiment": value, "label": label, "n": counts[value], "share": round(100 * counts[value] / total)}
        for value, label in Sentiment.choices]}


def _sentiment_counts(board) -> Counter:
    """The dashboard's card needs only this: for customer answers one sum over the comment
    rollups (a segment: one GROUP BY over the analyses of its commented answers)."""
    if board.anonymous or ("insights-figures",) in board._units_cache:
        return _figures(board).sentiments
    if not _from_rollups(board):
        return _by_sentiment(_analyses_of(board.responses().order_by()))
    return Counter({row["sentiment"]: row["n"] for row in _rollup_rows(board, SentimentRollup)
                    .exclude(sentiment="").values("sentiment").annotate(n=Sum("n"))})


def _analyses_of(answers):
    """The analyses of `answers`' comments (a subquery: no id list)."""
    return CommentAnalysis.objects.filter(response__in=answers.exclude(comment="").values("pk"))


def _by_sentiment(analyses) -> Counter:
    return Counter({row["sentiment"]: row["n"] for row in
                    analyses.order_by().values("sentiment").annotate(n=Count("pk"))})


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
    """Each active theme's figures (see the module's note), best-known first; employee answers
    only from whole cells (`_mentions`), and a theme with none is left out. A theme the admin
    deactivated is left out at once, before the re-analysis removes its mentions."""
    figures = _figures(board)
    categories, commented = figures.categories, figures.commented
    threshold = _threshold(board)
    overall = _category_score(categories)
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=figures.mentioned, active=True)}
    out = []
    hidden = sum(1 for theme_id in figures.mentioned if theme_id in themes and theme_id not in figures.mentions)
    for theme_id, counter in figures.mentions.items():
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
                      for week, c in sorted(figures.weekly[theme_id].items()) if sum(c.values()) >= threshold],
        })
    out.sort(key=lambda r: (-(r["effect"] or 0), -r["n"], r["theme"].label()))
    total = sum(commented.values())
    return {"overall": overall, "comments": total, "themes": out, "hidden": hidden,
            "unanalysed": max(0, total - sum(figures.sentiments.values()))}


def why(board) -> list[dict]:
    """Why detractors, why promoters: each category's most mentioned themes, with a few of the
    comments the reader may see (from the comment explorer's own reading)."""
    figures = _figures(board)
    threshold = _threshold(board)
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=figures.mentions, active=True)}
    out = []
    for category, title in (("detractor", _("Why detractors")), ("promoter", _("Why promoters"))):
        mine = figures.commented[category]
        counter = Counter({theme_id: c[category] for theme_id, c in figures.mentions.items() if c[category]})
        top = []
        for theme_id, n in counter.most_common(5):
            if n < threshold or theme_id not in themes:
                continue
            samples = comments_for(board=board, category=category, params={"theme": themes[theme_id].key})[:SAMPLES]
            top.append({"theme": themes[theme_id], "n": n, "share": round(100 * n / mine),
                        "samples": samples})
        out.append({"category": category, "title": title, "n": mine, "themes": top})
    return out


def top_themes(board, limit: int = 5) -> list[dict]:
    """For the digest and the report emails: the most mentioned themes with their NPS."""
    figures = drivers(board)
    rows = sorted(figures["themes"], key=lambda r: (-r["n"], r["theme"].label()))[:limit]
    return [{"label": r["theme"].label(), "n": r["n"], "nps": r["score"].nps, "effect": r["effect"]} for r in rows]


def analysis_of(response) -> dict | None:
    """One response's sentiment and themes, for its page and its case's (the caller already
    decided the reader may see the response): the explorer's own reading of a row."""
    explorer_details([response])
    return response.insight
