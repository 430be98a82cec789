"""Accuracy of the engine on a JSON-lines file of labelled comments (fields lang, text,
sentiment, themes): `python -m insights.analysis.evaluate FILE [--lexicon]` prints sentiment
accuracy and exact theme-set accuracy per language, and the misses with -v."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

DEV = Path(__file__).resolve().parent / "data" / "dev.jsonl"


def load(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: list[dict], taxonomy=None) -> tuple[dict[str, dict], list[tuple[dict, object]]]:
    """({lang: {"n", "sentiment", "themes"}}, misses)."""
    from . import analyze

    results = analyze([(row["lang"], row["text"]) for row in rows], taxonomy)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    for row, result in zip(rows, results, strict=True):
        c = counts[row["lang"]]
        c[0] += 1
        sentiment_ok = result.sentiment == row["sentiment"]
        themes_ok = set(result.themes) == set(row["themes"])
        c[1] += sentiment_ok
        c[2] += themes_ok
        if not (sentiment_ok and themes_ok):
            misses.append((row, result))
    figures = {lang: {"n": n, "sentiment": round(s / n, 3), "themes": round(t / n, 3)}
               for lang, (n, s, t) in sorted(counts.items())}
    return figures, misses


def report(figures: dict[str, dict]) -> str:
    lines = [f"{'lang':<6}{'n':>5}{'sentiment':>11}{'themes':>8}"]
    for lang, f in figures.items():
        lines.append(f"{lang:<6}{f['n']:>5}{f['sentiment']:>11.3f}{f['themes']:>8.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    from . import embedder, engine_name

    args = sys.argv[1:]
    if "--lexicon" in args:
        embedder.set_enabled(False)
    paths = [a for a in args if not a.startswith("-")] or [str(DEV)]
    figures, misses = evaluate(load(paths[0]))
    print(engine_name())
    print(report(figures))
    if "-v" in args:
        for row, result in misses:
            print(f"{row['lang']} {row['text']!r}: gold {row['sentiment']} {row['themes']} / "
                  f"got {result.sentiment} {list(result.themes)} {result.confidence}")
