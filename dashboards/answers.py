"""The answers after the score, as dashboard figures: CSAT per touchpoint (mean, share of 4–5,
trend) and the distribution of each single or multiple choice question, plus the export's
question columns. Everything reads `board.responses()` (the reader's scope and the view's
filters, through `organizations.access`) and is counted in SQL on the `answers` JSON (one
GROUP BY or one conditional COUNT per question), never by reading every answer in Python.

Employee (eNPS) answers are anonymity units, not rows: their figures are shown only over the
whole view, never by week or department, and only when the view's headline counts exactly the
answers used (so they are a union of whole units, none hidden) and the question has at least
the threshold's number of answers."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, TruncMonth, TruncWeek

from organizations import access
from responses.answers import OTHER, answer_text, choice_labels, comment_key, question_text
from surveys.models import Survey, SurveyVersion

CSAT_VALUES = ("1", "2", "3", "4", "5")
CHOICE_TYPES = ("single_choice", "multi_choice")


@dataclass
class Question:
    """A question key as it appears across the view's surveys and versions (the newest wording)."""

    key: str
    type: str
    text: str
    version_ids: set[int] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # choice key → label (choices only)
    is_source: bool = False


def _versions(board) -> list[tuple[int, dict]]:
    """(version id, definition) of every version of the view's surveys, oldest first."""
    surveys = Survey.objects.all()
    if board.filters.survey_id:
        surveys = surveys.filter(pk=board.filters.survey_id)
    if board.filters.kind:
        surveys = surveys.filter(kind=board.filters.kind)
    return list(SurveyVersion.objects.filter(survey__in=surveys).order_by("survey_id", "number")
                .values_list("pk", "definition"))


def questions(board, *, types=None) -> list[Question]:
    """The follow-up questions of the view's surveys, one per (key, type), in survey order."""
    language = board.organization.default_language
    found: dict[tuple[str, str], Question] = {}
    for version_id, definition in _versions(board):
        default = definition.get("default_language", language)
        for q in definition.get("questions", []):
            if q.get("type") == "nps" or (types and q.get("type") not in types):
                continue
            item = found.setdefault((q["key"], q["type"]), Question(q["key"], q["type"], ""))
            item.text = question_text(q, language, default)  # the newest version's wording wins
            item.version_ids.add(version_id)
            item.is_source = item.is_source or bool(q.get("is_source"))
            if q["type"] in CHOICE_TYPES:
                for key, label in choice_labels(q, language, default).items():
                    if key != OTHER or q.get("allow_other"):
                        item.labels[key] = label
    return list(found.values())


def _key(question_key: str, *path: str):
    """answers -> key (-> path…) as text, the same on PostgreSQL and SQLite."""
    expression = KeyTransform(question_key, "answers")
    for part in path[:-1]:
        expression = KeyTransform(part, expression)
    last = path[-1] if path else None
    if last is None:
        return Cast(KeyTextTransform(question_key, "answers"), CharField())
    return Cast(KeyTextTransform(last, expression), CharField())


# --- Employee answers -------------------------------------------------------------------------------

def _employee_view_whole(board) -> bool:
    """Whether the employee view's answers are exactly whole shown units: its headline (a sum
    of units) counts every answer in the reader's scope under the filters."""
    cache = board.__dict__.setdefault("_answers_cache", {})
    if "whole" not in cache:
        shown = sum(board.histogram())
        cache["whole"] = shown > 0 and shown == board.responses().count()
    return cache["whole"]


def may_show(board, n: int) -> bool:
    if n <= 0:
        return False
    if not board.anonymous:
        return True
    return access.group_large_enough(board.organization, n) and _employee_view_whole(board)


# --- CSAT --------------------------------------------------------------------------------------------

def _csat_figures(counts: dict[str, int]) -> dict:
    n = sum(counts.values())
    total = sum(int(v) * c for v, c in counts.items())
    satisfied = counts.get("4", 0) + counts.get("5", 0)
    return {"n": n, "mean": round(total / n, 2) if n else None,
            "satisfied_share": round(100 * satisfied / n) if n else None,
            "counts": [counts.get(v, 0) for v in CSAT_VALUES]}


def csat(board) -> dict:
    """{"rows": [{key, label, n, mean, satisfied_share, counts, trend}], "hidden": n}: each CSAT
    question (touchpoint) under the view's filters, with its trend per week (or month) for
    customer answers; `hidden` counts the employee questions not shown."""
    rows, hidden = [], 0
    trunc = TruncMonth if board.filters.every == "month" else TruncWeek
    for q in questions(board, types=("csat",)):
        answered = (board.responses().filter(version_id__in=q.version_ids).annotate(csat_value=_key(q.key))
                    .filter(csat_value__in=CSAT_VALUES))
        counts = dict(answered.values_list("csat_value").annotate(n=Count("pk")).order_by())
        figures = _csat_figures(counts)
        if not may_show(board, figures["n"]):
            hidden += figures["n"] > 0
            continue
        trend = []
        if not board.anonymous:  # employee figures: only over the whole view, never by week
            buckets: dict = {}
            for bucket, value, n in (answered.annotate(bucket=trunc("created_at", tzinfo=board.tz))
                                     .values_list("bucket", "csat_value").annotate(n=Count("pk")).order_by()):
                day = bucket.date() if hasattr(bucket, "date") else bucket
                buckets.setdefault(day, {})[value] = n
            trend = [{"bucket": day, **_csat_figures(c)} for day, c in sorted(buckets.items())]
        rows.append({"key": q.key, "label": q.text, **figures, "trend": trend})
    return {"rows": rows, "hidden": hidden}


# --- Choice questions --------------------------------------------------------------------------------

def choices(board) -> dict:
    """{"rows": [{key, label, multiple, n, options: [{key, label, count, share}]}], "hidden": n}:
    how many chose each option of each single/multiple choice question (shares of those who
    answered it; for multiple choice they add up to more than 100 %). The acquisition-source
    question has its own chart and is left out."""
    rows, hidden = [], 0
    for q in questions(board, types=CHOICE_TYPES):
        if q.is_source or not q.labels:
            continue
        options = list(q.labels)
        depth = 1 if q.type == "single_choice" else len(options)
        picked = {f"pick_{i}": _key(q.key, "choices", str(i)) for i in range(depth)}
        counts = {"answered": Count("pk", filter=Q(pick_0__isnull=False))}
        for j, option in enumerate(options):
            counts[f"option_{j}"] = Count("pk", filter=functools.reduce(
                operator.or_, (Q(**{f"pick_{i}": option}) for i in range(depth))))
        totals = board.responses().filter(version_id__in=q.version_ids).annotate(**picked).aggregate(**counts)
        n = totals["answered"] or 0
        if not may_show(board, n):
            hidden += n > 0
            continue
        rows.append({"key": q.key, "label": q.text, "multiple": q.type == "multi_choice", "n": n, "options": [
            {"key": option, "label": q.labels[option], "count": totals[f"option_{j}"] or 0,
             "share": round(100 * (totals[f"option_{j}"] or 0) / n)} for j, option in enumerate(options)]})
    return {"rows": rows, "hidden": hidden}


# --- The export's question columns ------------------------------------------------------------------------

def export_columns(board) -> tuple[list[str], dict[int, tuple[str, dict[str, dict]]], list[str]]:
    """(question keys, version id → (its default language, key → question), header cells): one column per question key
    across the view's surveys, headed by its text in the organization's default language; the
    comment's question (its answer is the comment column already) is left out where it is the
    comment in every version."""
    language = board.organization.default_language
    order: list[str] = []
    texts: dict[str, str] = {}
    by_version: dict[int, tuple[str, dict[str, dict]]] = {}
    comment_everywhere: dict[str, bool] = {}
    for version_id, definition in _versions(board):
        default = definition.get("default_language", language)
        comment = comment_key(definition)
        by_version[version_id] = (default, {})
        for q in definition.get("questions", []):
            if q.get("type") == "nps":
                continue
            key = q["key"]
            by_version[version_id][1][key] = q
            if key not in texts:
                order.append(key)
            texts[key] = question_text(q, language, default)
            comment_everywhere[key] = comment_everywhere.get(key, True) and key == comment
    keys = [k for k in order if not comment_everywhere[k]]
    header = [texts[k] for k in keys]
    repeated = {h for h in header if header.count(h) > 1}
    header = [f"{texts[k]} ({k})" if texts[k] in repeated else texts[k] for k in keys]
    return keys, by_version, header


def export_cells(response, keys: list[str], by_version: dict[int, tuple[str, dict[str, dict]]],
                 language: str) -> list[str]:
    """The row's cells for `keys`: each answer as text, choices as labels in `language`."""
    default, questions_of = by_version.get(response.version_id, (language, {}))
    answers = response.answers if isinstance(response.answers, dict) else {}
    cells = []
    for key in keys:
        question = questions_of.get(key)
        value = answers.get(key)
        if question is None or value is None:
            cells.append("")
        else:
            cells.append(answer_text(question, value, language, default))
    return cells
