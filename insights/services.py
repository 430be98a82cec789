"""Writes of the comment insights: the taxonomy (seeded from the engine's starter set on first
use, then the organization's own), the analysis of comments (idempotent: an analysis whose text,
taxonomy and engine are unchanged is kept), and the suggested new themes. A taxonomy change
queues the re-analysis of the organization's comments in the worker. Where an analysis is
written or removed, the comment rollups of its answer's (survey, day) slice are recounted
(`insights.rollups`, queued after commit and coalesced as the dashboards' rollups are)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from nps_platform.celery import task_enqueue, task_enqueue_on_commit
from organizations import access
from organizations.models import Organization
from organizations.services import audit_record
from responses.models import Response

from . import analysis as engine
from .models import CommentAnalysis, CommentTheme, Theme, ThemeExample, ThemeSuggestion
from .rollups import comment_rollups_rebuild

log = logging.getLogger(__name__)

BATCH = 200
ROLLUP_FLUSH_S = 60  # a whole organization's analysis queues its slices' recounts this often
SUGGEST_FROM = 3000  # the latest comments without a theme that suggestions are looked for in
EXAMPLE_MAX = 300


# --- The taxonomy -----------------------------------------------------------------------------

def taxonomy_ensure(*, organization: Organization) -> None:
    """Seeds the organization's taxonomy from the engine's starter set the first time it is
    needed (themes are never deleted, so no theme at all means never seeded). Safe to race."""
    if Theme.objects.exists():
        return
    with transaction.atomic():
        themes = [Theme(organization=organization, key=spec.key, names=dict(spec.names),
                        name=spec.names.get(organization.default_language[:2]) or spec.names.get("en") or spec.key)
                  for spec in engine.starter_taxonomy()]
        Theme.objects.bulk_create(themes, ignore_conflicts=True)
        by_key = {t.key: t for t in Theme.objects.all()}
        ThemeExample.objects.bulk_create(
            [ThemeExample(organization=organization, theme=by_key[spec.key], text=text[:EXAMPLE_MAX])
             for spec in engine.starter_taxonomy() if spec.key in by_key for text in dict.fromkeys(spec.examples)],
            ignore_conflicts=True)


def theme_targets() -> dict[str, int]:
    """Which theme a key the engine finds counts for: an active theme for itself, a theme merged
    into another (perhaps merged on again) for the active theme at the end of its chain; a
    deactivated theme for none."""
    themes = {t.pk: t for t in Theme.objects.only("pk", "key", "active", "merged_into_id")}
    out = {}
    for theme in themes.values():
        seen, at = set(), theme
        while not at.active and at.merged_into_id in themes and at.pk not in seen:
            seen.add(at.pk)
            at = themes[at.merged_into_id]
        if at.active:
            out[theme.key] = at.pk
    return out


def taxonomy_specs(*, organization: Organization) -> list[engine.ThemeSpec]:
    """The organization's active themes as the engine reads them, and those merged into one:
    the engine still finds what they are about ("billing" merged into "price" keeps its own
    classifier), and `theme_targets` counts it for the theme it went into."""
    taxonomy_ensure(organization=organization)
    examples: dict[int, list[str]] = {}
    for theme_id, text in ThemeExample.objects.order_by("pk").values_list("theme_id", "text"):
        examples.setdefault(theme_id, []).append(text)
    specs = []
    for theme in Theme.objects.filter(key__in=list(theme_targets())).order_by("key"):
        names = {language: theme.names.get(language) or theme.name for language in engine.LANGUAGES}
        specs.append(engine.ThemeSpec(key=theme.key, names=names, examples=tuple(examples.get(theme.pk, ()))))
    return specs


def _taxonomy_fingerprint(specs: list[engine.ThemeSpec]) -> str:
    data = [(s.key, sorted(s.examples)) for s in specs]
    return hashlib.sha256(json.dumps([engine.engine_name(), data]).encode()).hexdigest()


def _fingerprint(taxonomy: str, language: str, text: str) -> str:
    return hashlib.sha256(f"{taxonomy}\n{language}\n{text}".encode()).hexdigest()


def taxonomy_changed(*, organization: Organization) -> None:
    """After any edit: the organization's comments are analysed again in the worker."""
    task_enqueue_on_commit("insights.organization_reanalyse", organization_id=organization.pk)


def _unique_key(name: str) -> str:
    base = (slugify(name) or "theme")[:50]
    key, n = base, 1
    while Theme.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def _clean_examples(examples: Iterable[str]) -> list[str]:
    out = []
    for line in examples:
        line = re.sub(r"\s+", " ", line or "").strip()[:EXAMPLE_MAX]
        if line and line not in out:
            out.append(line)
    return out


class ThemeNameTaken(ValueError):
    """Another active theme is already called so (in some language): an admin could not tell
    the two apart in the explorer, the drivers or a digest."""

    def __init__(self, theme: Theme):
        super().__init__(theme.name)
        self.theme = theme


def theme_name_taken(name: str, *, exclude: Theme | None = None) -> Theme | None:
    """The active theme (other than `exclude`) already called `name` in any language, if any."""
    wanted = re.sub(r"\s+", " ", name or "").strip().casefold()
    for theme in Theme.objects.filter(active=True).exclude(pk=exclude.pk if exclude else None):
        if wanted in {re.sub(r"\s+", " ", n).strip().casefold() for n in (theme.name, *theme.names.values()) if n}:
            return theme
    return None


@transaction.atomic
def theme_add(*, organization: Organization, by, name: str, examples: Iterable[str], language: str = "") -> Theme:
    """A new theme; raises ThemeNameTaken when an active theme is already called so."""
    taxonomy_ensure(organization=organization)
    name = re.sub(r"\s+", " ", name).strip()[:120]
    if taken := theme_name_taken(name):
        raise ThemeNameTaken(taken)
    theme = Theme.objects.create(organization=organization, key=_unique_key(name), name=name,
                                 names={language[:2]: name} if language else {})
    ThemeExample.objects.bulk_create([ThemeExample(organization=organization, theme=theme, text=text)
                                      for text in _clean_examples(examples)])
    audit_record(organization=organization, actor=by, action="insights.theme_added", target=theme,
                 summary=f"Theme added: {name}")
    taxonomy_changed(organization=organization)
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, by, name: str, examples: Iterable[str], language: str = "") -> Theme:
    """Renames (in `language`, and as the name shown where a language has none) and replaces the
    example phrases; raises ThemeNameTaken when another active theme is already called so."""
    name = re.sub(r"\s+", " ", name).strip()[:120]
    if name and (taken := theme_name_taken(name, exclude=theme)):
        raise ThemeNameTaken(taken)
    if name and name != theme.label(language):
        theme.name = name
        if language:
            theme.names = {**theme.names, language[:2]: name}
        theme.save(update_fields=["name", "names"])
    wanted = _clean_examples(examples)
    ThemeExample.objects.filter(theme=theme).exclude(text__in=wanted).delete()
    have = set(ThemeExample.objects.filter(theme=theme).values_list("text", flat=True))
    ThemeExample.objects.bulk_create([ThemeExample(organization=theme.organization, theme=theme, text=text)
                                      for text in wanted if text not in have])
    audit_record(organization=theme.organization, actor=by, action="insights.theme_changed", target=theme,
                 summary=f"Theme changed: {theme.name}")
    taxonomy_changed(organization=theme.organization)
    return theme


@transaction.atomic
def theme_set_active(*, theme: Theme, by, active: bool) -> Theme:
    theme.active = active
    if active:
        theme.merged_into = None
    theme.save(update_fields=["active", "merged_into"])
    audit_record(organization=theme.organization, actor=by,
                 action="insights.theme_activated" if active else "insights.theme_deactivated", target=theme,
                 summary=f"Theme {'activated' if active else 'deactivated'}: {theme.name}")
    taxonomy_changed(organization=theme.organization)
    return theme


@transaction.atomic
def theme_merge(*, theme: Theme, into: Theme, by) -> Theme:
    """`theme` goes into `into`: its examples join `into`'s, its comments count for `into` at
    once (the re-analysis then confirms), and it becomes inactive, remembering where it went."""
    if theme.pk == into.pk:
        return into
    have = set(ThemeExample.objects.filter(theme=into).values_list("text", flat=True))
    ThemeExample.objects.bulk_create([ThemeExample(organization=into.organization, theme=into, text=text)
                                      for text in ThemeExample.objects.filter(theme=theme)
                                      .values_list("text", flat=True) if text not in have])
    already = CommentTheme.objects.filter(theme=into).values("analysis_id")
    CommentTheme.objects.filter(theme=theme).exclude(analysis_id__in=already).update(theme=into)
    CommentTheme.objects.filter(theme=theme).delete()
    theme.active, theme.merged_into = False, into
    theme.save(update_fields=["active", "merged_into"])
    # the mentions moved to `into` at once: so do the drivers' figures (every slice recounted)
    task_enqueue_on_commit("insights.comment_rollups_rebuild", organization_id=theme.organization_id)
    audit_record(organization=theme.organization, actor=by, action="insights.theme_merged", target=theme,
                 summary=f"Theme merged: {theme.name} into {into.name}")
    taxonomy_changed(organization=theme.organization)
    return into


class SuggestionDecided(Exception):
    """The suggestion was accepted or dismissed meanwhile (by another admin, or a refresh)."""


ACCEPT_EXAMPLES = 3  # of a suggestion's example comments, these become its theme's examples (more: the engine
# also matches a theme by every long word of its examples, "always", "Laden" included)


def suggestion_name(suggestion: ThemeSuggestion) -> str:
    """The name a suggestion is accepted under when the admin gives none: its first key phrase
    (the admin's language first, see `suggestions_refresh`)."""
    phrase = next((p for p in suggestion.key_phrases if p.strip()), "") or str(suggestion)
    return (phrase[:1].upper() + phrase[1:]).strip()[:120]


@transaction.atomic
def suggestion_accept(*, suggestion: ThemeSuggestion, by, name: str = "", language: str = "") -> Theme:
    """The suggestion becomes a theme: named `name` (or after its first key phrase), with its key
    phrases and its first example comments (several languages) as example phrases; the
    re-analysis then gives it to those comments and to new ones on the topic. Raises
    SuggestionDecided when it is no longer open (two admins at once: one theme)."""
    locked = ThemeSuggestion.objects.select_for_update().filter(pk=suggestion.pk,
                                                                 status=ThemeSuggestion.Status.OPEN).first()
    if locked is None:
        raise SuggestionDecided
    name = re.sub(r"\s+", " ", name or "").strip()[:120] or suggestion_name(locked) or "Theme"
    theme = theme_add(organization=locked.organization, by=by, name=name, language=language,
                      examples=[*locked.key_phrases, *locked.examples[:ACCEPT_EXAMPLES]])
    locked.status, locked.theme = ThemeSuggestion.Status.ACCEPTED, theme
    locked.save(update_fields=["status", "theme"])
    audit_record(organization=locked.organization, actor=by, action="insights.suggestion_accepted",
                 target=locked, summary=f"Suggestion accepted as theme {theme.name}: {locked}")
    return theme


def _as_example(text: str) -> str:
    """A comment as the engine quotes it in a suggestion (`suggest._examples`) and as a theme keeps it."""
    return re.sub(r"\s+", " ", text or "").strip()[:EXAMPLE_MAX]


@transaction.atomic
def erased_comments_scrub(*, organization: Organization, comments: Iterable[str]) -> int:
    """An erased contact's comments leave the suggestions (open or decided: a decided one keeps its
    examples to recognise its topic) and the example phrases a theme took from one on accepting;
    returns how many quotes went. A theme that lost an example is analysed again."""
    gone = {_as_example(c) for c in comments} - {""}
    if not gone:
        return 0
    removed = 0
    # a few hundred rows at most (open ones are replaced daily, decided ones are an admin's clicks)
    for suggestion in ThemeSuggestion.objects.select_for_update().only("examples"):
        kept = [e for e in suggestion.examples if _as_example(e) not in gone]
        if len(kept) != len(suggestion.examples):
            removed += len(suggestion.examples) - len(kept)
            ThemeSuggestion.objects.filter(pk=suggestion.pk).update(examples=kept)
    # only the themes made from a suggestion: a phrase an admin typed is theirs, not a quote
    accepted = ThemeSuggestion.objects.filter(status=ThemeSuggestion.Status.ACCEPTED).values("theme_id")
    examples = ThemeExample.objects.filter(theme__in=accepted, text__in=sorted(gone))
    quoted = examples.count()
    if quoted:
        examples.delete()
        removed += quoted
        taxonomy_changed(organization=organization)
    return removed


@transaction.atomic
def suggestion_dismiss(*, suggestion: ThemeSuggestion, by) -> None:
    """Raises SuggestionDecided when it is no longer open (accepted meanwhile: its theme stays
    what it was accepted as, not a dismissed suggestion)."""
    if not ThemeSuggestion.objects.filter(pk=suggestion.pk, status=ThemeSuggestion.Status.OPEN).update(
            status=ThemeSuggestion.Status.DISMISSED):
        raise SuggestionDecided
    suggestion.status = ThemeSuggestion.Status.DISMISSED
    audit_record(organization=suggestion.organization, actor=by, action="insights.suggestion_dismissed",
                 target=suggestion, summary=f"Suggestion dismissed: {suggestion}")


# --- Analysing comments -----------------------------------------------------------------------

def comments_analyse(*, organization: Organization, response_ids: Iterable[int] | None = None,
                     progress=None, recount: bool = True) -> int:
    """Analyses the organization's comments (or those of `response_ids`) whose analysis is
    missing or stale; returns how many were (re)analysed. A batch the engine fails on is retried
    one comment at a time, and a comment that still fails is logged and skipped: it never stops
    the others. `progress(done, total)` is called after each batch. The comment rollups follow:
    for `response_ids`, every one of their slices is recounted (an answer's new score, department
    or emptied comment moves its figures even when its analysis stays); for the whole
    organization, the slices of what was written or removed, every ROLLUP_FLUSH_S seconds.
    `recount=False`: none is queued (the caller rebuilds the organization's comment rollups)."""
    specs = taxonomy_specs(organization=organization)
    taxonomy = _taxonomy_fingerprint(specs)
    theme_ids = theme_targets()
    qs = Response.objects.all()
    slices: set[tuple[int, dt.date]] = set()
    if response_ids is not None:
        ids = list(response_ids)
        qs = qs.filter(pk__in=ids)
        slices |= _slices(organization, qs)
        # a comment that was emptied loses its analysis
        CommentAnalysis.objects.filter(response_id__in=ids, response__comment="").delete()
    else:
        emptied = CommentAnalysis.objects.filter(response__comment="")
        slices |= _slices(organization, Response.objects.filter(pk__in=emptied.values("response_id")))
        emptied.delete()
    current = dict(CommentAnalysis.objects.filter(response__in=qs.values("pk"))
                   .values_list("response_id", "fingerprint"))
    todo = [(pk, language, comment) for pk, language, comment in
            qs.exclude(comment="").order_by("pk").values_list("pk", "language", "comment").iterator(chunk_size=2000)
            if current.get(pk) != _fingerprint(taxonomy, language, comment)]
    done = 0
    flushed = time.monotonic()
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        results = _analyse_batch(batch, specs)
        stored = [(item, result) for item, result in zip(batch, results, strict=True) if result]
        _store(organization, stored, taxonomy, theme_ids)
        done += len(stored)
        if response_ids is None and stored and recount:
            slices |= _slices(organization, Response.objects.filter(pk__in=[pk for (pk, _l, _t), _r in stored]))
            if time.monotonic() - flushed >= ROLLUP_FLUSH_S:
                comment_rollups_due(organization=organization, slices=slices)
                slices, flushed = set(), time.monotonic()
        if progress:
            progress(start + len(batch), len(todo))
    if recount:
        comment_rollups_due(organization=organization, slices=slices)
    return done


def _slices(organization: Organization, answers) -> set[tuple[int, dt.date]]:
    """The (survey, day) slices of `answers`, the day in the organization's time zone."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    return {(survey_id, created_at.astimezone(tz).date())
            for survey_id, created_at in answers.order_by().values_list("survey_id", "created_at")}


def comment_rollups_due(*, organization: Organization, slices: Iterable[tuple[int, dt.date]]) -> None:
    """After commit, a recount of each (survey, day) slice's comment rollups is queued
    (`insights.comment_rollup_refresh`). With ROLLUP_REFRESH_DELAY > 0, the slices marked within
    that many seconds share one recount, as the dashboards' rollups do: the first mark sets a
    marker that lives DELAY seconds and queues the recount to run after it has expired, so every
    analysis that found the marker was committed before the recount reads."""
    slices = sorted(set(slices))
    if slices:
        organization_id = organization.pk
        transaction.on_commit(lambda: _queue_recounts(organization_id, slices))


def comment_rollups_answer_removed(*, organization_id: int, survey_id: int, created_at: dt.datetime,
                                   time_zone: str | None = None) -> None:
    """An answer was deleted (its analysis went with it): its slice is recounted."""
    if time_zone is None:
        time_zone = Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
    day = created_at.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    transaction.on_commit(lambda: _queue_recounts(organization_id, [(survey_id, day)]))


def _queue_recounts(organization_id: int, slices: list[tuple[int, dt.date]]) -> None:
    delay = settings.ROLLUP_REFRESH_DELAY
    for survey_id, day in slices:
        kwargs = {"survey_id": survey_id, "day": day.isoformat(), "organization_id": organization_id}
        if not delay:
            task_enqueue("insights.comment_rollup_refresh", **kwargs)
        elif cache.add(f"insights-rollup-due:{organization_id}:{survey_id}:{day.isoformat()}", 1, timeout=delay):
            task_enqueue("insights.comment_rollup_refresh", countdown=delay + 1, **kwargs)


def _analyse_batch(batch, specs) -> list:
    items = [(language or "", text) for _pk, language, text in batch]
    try:
        return list(engine.analyze(items, specs))
    except Exception:
        log.exception("Comment analysis failed for a batch; trying its comments one by one")
    results = []
    for pk, language, text in batch:
        try:
            results.append(engine.analyze([(language or "", text)], specs)[0])
        except Exception:
            log.exception("Comment analysis failed for response %s; skipped", pk)
            results.append(None)
    return results


def _store(organization, pairs, taxonomy, theme_ids) -> None:
    if not pairs:
        return
    now = timezone.now()
    name = engine.engine_name()
    with transaction.atomic():
        objects = [CommentAnalysis(organization=organization, response_id=pk, sentiment=result.sentiment,
                                   confidence=max(0.0, min(1.0, float(result.confidence))), engine=name[:80],
                                   fingerprint=_fingerprint(taxonomy, language, text), analysed_at=now)
                   for (pk, language, text), result in pairs]
        CommentAnalysis.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["organization", "response"],
            update_fields=["sentiment", "confidence", "engine", "fingerprint", "analysed_at"])
        ids = dict(CommentAnalysis.objects.filter(response_id__in=[pk for (pk, _l, _t), _r in pairs])
                   .values_list("response_id", "pk"))
        CommentTheme.objects.filter(analysis_id__in=ids.values()).delete()
        links = []
        for (pk, _language, _text), result in pairs:
            targets = list(dict.fromkeys(theme_ids[k] for k in result.themes if k in theme_ids))
            links += [CommentTheme(organization=organization, analysis_id=ids[pk], theme_id=theme_id, rank=i)
                      for i, theme_id in enumerate(targets)]
        CommentTheme.objects.bulk_create(links)


def comment_analyse(*, organization: Organization, response_id: int) -> int:
    """One answer, as it arrives (the worker's task)."""
    return comments_analyse(organization=organization, response_ids=[response_id])


# --- Suggested new themes ---------------------------------------------------------------------

def suggestions_refresh(*, organization: Organization) -> int:
    """Looks for groups of one topic among the latest customer comments that fit no theme (the
    engine's `suggest_themes`): key phrases and examples in the organization's language first.
    An open suggestion found again keeps its row (an admin's open page still acts on it), the
    others are replaced; one like an accepted or dismissed suggestion (the same key phrases for
    the most part, or two of its examples) is not offered again. Employee answers are left out:
    their comments leave the product only as figures of large enough groups (organizations.access).
    Returns the number of open suggestions."""
    taxonomy_ensure(organization=organization)
    rows = list(Response.objects.exclude(comment="").exclude(survey__kind=access.ANONYMOUS_KIND)
                .filter(comment_analyses__isnull=False).exclude(comment_analyses__theme_links__isnull=False)
                .order_by("-created_at", "-pk").values_list("language", "comment")[:SUGGEST_FROM])
    items = [((language or "")[:2], text) for language, text in rows]
    # an empty taxonomy: these comments are known to fit none, the engine needs not read them again
    suggestions = engine.suggest_themes(items, []) if items else []
    reader = (organization.default_language or "en")[:2]
    decided = [(set(map(str.lower, d.key_phrases)), set(d.examples)) for d in
               ThemeSuggestion.objects.exclude(status=ThemeSuggestion.Status.OPEN).only("key_phrases", "examples")]
    with transaction.atomic():
        open_now = {s.fingerprint: s for s in ThemeSuggestion.objects.select_for_update()
                    .filter(status=ThemeSuggestion.Status.OPEN)}
        kept: set[int] = set()
        for suggestion in suggestions:
            phrases, examples = _for_reader(suggestion, items, reader)
            if not phrases or _decided_already(phrases, examples, decided):
                continue
            fingerprint = hashlib.sha256(json.dumps(sorted(p.lower() for p in phrases)).encode()).hexdigest()
            fields = {"key_phrases": phrases, "examples": examples, "size": len(suggestion.members)}
            row = open_now.get(fingerprint)
            if row is not None:
                if row.pk not in kept:
                    ThemeSuggestion.objects.filter(pk=row.pk).update(**fields)
                    kept.add(row.pk)
                continue
            try:
                with transaction.atomic():
                    kept.add(ThemeSuggestion.objects.create(organization=organization, fingerprint=fingerprint,
                                                            **fields).pk)
            except IntegrityError:  # decided meanwhile under the same key phrases
                continue
        ThemeSuggestion.objects.filter(status=ThemeSuggestion.Status.OPEN).exclude(pk__in=kept).delete()
    return len(kept)


def _for_reader(suggestion: engine.Suggestion, items: list[tuple[str, str]], language: str
                ) -> tuple[list[str], list[str]]:
    """A suggestion's key phrases and examples, those of the reader's language first (a phrase
    is the reader's when a comment in that language has it)."""
    mine = [items[i][1].lower() for i in suggestion.members if items[i][0] == language]
    phrases = list(dict.fromkeys(p.strip()[:EXAMPLE_MAX] for p in suggestion.key_phrases if p.strip()))
    phrases.sort(key=lambda p: not any(p.lower() in text for text in mine))  # stable: the engine's order
    language_of = {re.sub(r"\s+", " ", items[i][1]).strip()[:EXAMPLE_MAX]: items[i][0] for i in suggestion.members}
    examples = list(dict.fromkeys(e.strip()[:EXAMPLE_MAX] for e in suggestion.examples if e.strip()))
    examples.sort(key=lambda e: language_of.get(e) != language)
    return phrases, examples


def _decided_already(phrases: list[str], examples: list[str], decided: list[tuple[set, set]]) -> bool:
    """Like an accepted or dismissed suggestion: most of the smaller set of key phrases in
    common, or two examples (a cluster that moved a little is the same topic)."""
    mine = set(map(str.lower, phrases))
    for their_phrases, their_examples in decided:
        if mine and their_phrases and 2 * len(mine & their_phrases) >= min(len(mine), len(their_phrases)):
            return True
        if len(set(examples) & their_examples) >= 2:
            return True
    return False


def organization_reanalyse(*, organization: Organization, progress=None, recount: bool = True) -> int:
    n = comments_analyse(organization=organization, progress=progress, recount=recount)
    suggestions_refresh(organization=organization)
    return n


def demo_seed(*, organization: Organization) -> None:
    """For `seed_demo`: the demo's comments analysed, and a suggested theme to look at (the
    engine's own, or one made from the demo's parking comments, which fit no starter theme)."""
    # rebuilt at once (the demo starts without a worker) rather than a recount queued per slice,
    # which the worker's first start would then have run before any fresh answer's
    organization_reanalyse(organization=organization, recount=False)
    comment_rollups_rebuild(organization=organization)
    if not ThemeSuggestion.objects.exists():
        examples = list(Response.objects.filter(comment__icontains="parker").values_list("comment", flat=True)[:3])
        ThemeSuggestion.objects.create(organization=organization, fingerprint=hashlib.sha256(b"demo").hexdigest(),
                                       key_phrases=["parkering", "parking"], examples=examples or ["Parkering"],
                                       size=len(examples))
