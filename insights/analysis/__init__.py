"""The comment-analysis engine: sentiment (positive/neutral/negative with a confidence) and
themes per comment, offline, in en, da, sv, nb, fi, hr, de and across them. It imports no
Django model and needs no database. See docs/comment-analysis.md (the contract with the product
side is this module's functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import embedder
from .taxonomy import STARTER

SENTIMENTS = ("positive", "neutral", "negative")
LANGUAGES = ("en", "da", "sv", "nb", "fi", "hr", "de")
LEXICON_VERSION = "lexicon-2"


@dataclass(frozen=True)
class ThemeSpec:
    key: str
    names: dict[str, str]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    sentiment: str
    confidence: float
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    key_phrases: tuple[str, ...]
    members: tuple[int, ...]
    examples: tuple[str, ...]


def starter_taxonomy() -> list[ThemeSpec]:
    """The starter themes: their names in the seven languages, their example phrases and the
    single-theme training comments (insights/analysis/data/train.jsonl)."""
    from .anchors import training

    extra: dict[str, list[str]] = {}
    for row in training():
        if len(row["themes"]) == 1:
            extra.setdefault(row["themes"][0], []).append(row["text"])
    return [ThemeSpec(key=t["key"], names=dict(t["names"]),
                      examples=tuple(dict.fromkeys([*t["examples"], *extra.get(t["key"], ())]))) for t in STARTER]


def available() -> bool:
    """False when the embedding model package is missing (or switched off); analyze() then
    still works on the lexicons alone, with lower quality."""
    return embedder.available()


def engine_name() -> str:
    if not available():
        return LEXICON_VERSION
    from . import probe

    return f"{embedder.version()}+probe-7.1+{LEXICON_VERSION}" if probe.model() is not None \
        else f"{embedder.version()}+{LEXICON_VERSION}"


def analyze(items: list[tuple[str, str]], taxonomy: list[ThemeSpec] | None = None) -> list[Analysis]:
    """items: (language, text). taxonomy None = starter. Batch-friendly; deterministic."""
    from .engine import analyze as run

    items = [(lang or "en", text or "") for lang, text in items]
    if not items:
        return []
    # A text without a word or an emoji says nothing: neutral and no theme, whatever the weights
    # would make of an empty input.
    said = [i for i, (_lang, text) in enumerate(items) if _SAYS_SOMETHING.search(text)]
    out = [Analysis(sentiment="neutral", confidence=1.0, themes=())] * len(items)
    if said:
        results = run([items[i] for i in said], starter_taxonomy() if taxonomy is None else list(taxonomy))
        for i, result in zip(said, results, strict=True):
            out[i] = result
    return out


_SAYS_SOMETHING = re.compile(r"[^\W_]|[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def suggest_themes(items: list[tuple[str, str]], taxonomy: list[ThemeSpec] | None = None,
                   max_suggestions: int = 8) -> list[Suggestion]:
    """Clusters of comments that fit no theme of the taxonomy."""
    from .suggest import suggest

    items = [(lang or "en", text or "") for lang, text in items]
    return suggest(items, starter_taxonomy() if taxonomy is None else list(taxonomy), max_suggestions)


__all__ = ["LANGUAGES", "SENTIMENTS", "Analysis", "Suggestion", "ThemeSpec", "analyze", "available",
           "engine_name", "starter_taxonomy", "suggest_themes"]
