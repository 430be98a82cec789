"""The NPS math module against the worked examples and properties that must always hold."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nps_platform.nps_math import (
    change_is_significant,
    margin_of_error,
    nps,
    reading,
    score_from_categories,
    score_from_histogram,
)


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors", "expected"),
    [(70, 20, 10, 60), (55, 30, 15, 40), (0, 0, 100, -100), (100, 0, 0, 100), (0, 10, 0, 0)],
)
def test_worked_examples_from_the_design_notes(promoters, passives, detractors, expected):
    assert nps(promoters, passives, detractors) == expected


def test_no_answers_has_no_score():
    assert nps(0, 0, 0) is None
    assert score_from_categories(0, 0, 0).margin is None


def test_margin_of_error_example():
    # p = 0.5, d = 0.2, n = 400 → ±7.7
    assert margin_of_error(200, 120, 80) == 7.7


def test_rounding_is_half_away_from_zero():
    assert nps(1, 6, 0) == 14  # 14.28…
    assert nps(1, 0, 1) == 0
    assert nps(1, 1, 0) == 50  # exactly 50
    assert nps(3, 4, 1) == 25  # exactly 25
    assert nps(1, 7, 0) == 13  # 12.5 → 13
    assert nps(0, 7, 1) == -13  # −12.5 → −13


def test_low_sample_flag_below_thirty():
    assert score_from_categories(10, 10, 9).low_sample
    assert not score_from_categories(10, 10, 10).low_sample


def test_histogram_counts_each_category():
    histogram = [1, 0, 0, 0, 0, 0, 2, 3, 0, 4, 5]  # 3 detractors, 3 passives, 9 promoters
    score = score_from_histogram(histogram)
    assert (score.promoters, score.passives, score.detractors, score.n) == (9, 3, 3, 15)
    assert score.nps == 40
    with pytest.raises(ValueError):
        score_from_histogram([1, 2, 3])


def test_a_change_is_significant_only_beyond_the_combined_margin():
    before = score_from_categories(200, 120, 80)  # NPS 30, n 400
    assert change_is_significant(score_from_categories(220, 100, 80), before) is False  # +5
    assert change_is_significant(score_from_categories(280, 80, 40), before) is True  # +30
    assert change_is_significant(score_from_categories(0, 0, 0), before) is None


def test_reading_bands():
    assert [reading(v) for v in (75, 60, 40, 10, 0, -5, None)] == [
        "world class", "excellent", "good", "positive", "neutral", "negative", ""]


counts = st.integers(min_value=0, max_value=10_000)


@given(counts, counts, counts)
def test_nps_is_bounded_and_matches_its_definition(p, pa, d):
    value = nps(p, pa, d)
    if p + pa + d == 0:
        assert value is None
        return
    assert -100 <= value <= 100
    exact = 100 * (p - d) / (p + pa + d)
    assert abs(value - exact) <= 0.5


@given(counts, counts, counts)
def test_swapping_promoters_and_detractors_negates_the_score(p, pa, d):
    if p + pa + d:
        assert nps(p, pa, d) == -nps(d, pa, p)


@given(counts, counts, counts, st.integers(min_value=2, max_value=50))
def test_more_answers_in_the_same_mix_never_widen_the_margin(p, pa, d, k):
    if p + pa + d:
        small, large = margin_of_error(p, pa, d), margin_of_error(p * k, pa * k, d * k)
        assert large <= small + 0.05
        assert math.isclose(large, small / math.sqrt(k), abs_tol=0.1)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300))
def test_histogram_and_raw_scores_agree(scores):
    histogram = [scores.count(s) for s in range(11)]
    from nps_platform.nps_math import category_counts

    assert score_from_histogram(histogram).nps == nps(*category_counts(scores))
