"""NPS arithmetic, in one place: every page, export, email and API number comes from here.

NPS = % promoters − % detractors (passives count in the denominator only), shown as a whole
number. The 95 % margin of error: with p and d the promoter and detractor shares and n the
answers, SE = √((p + d − (p − d)²) / n) and the margin is ±1.96 · 100 · SE points. A change
between two periods is significant when |NPS₁ − NPS₂| > 1.96 · 100 · √(SE₁² + SE₂²)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

Z95 = 1.96
LOW_SAMPLE = 30  # below this many answers a score carries a "too few answers" warning
# The categories' thresholds, written here only: 9–10 promoters, 7–8 passives, 0–6 detractors.
PROMOTER_MIN = 9
PASSIVE_MIN = 7


def category_for_score(score: int | None) -> str | None:
    if score is None:
        return None
    if score >= PROMOTER_MIN:
        return "promoter"
    if score >= PASSIVE_MIN:
        return "passive"
    return "detractor"


def category_counts(scores: Iterable[int]) -> tuple[int, int, int]:
    promoters = passives = detractors = 0
    for score in scores:
        if score >= PROMOTER_MIN:
            promoters += 1
        elif score >= PASSIVE_MIN:
            passives += 1
        else:
            detractors += 1
    return promoters, passives, detractors


def nps(promoters: int, passives: int, detractors: int) -> int | None:
    """% promoters − % detractors, rounded half away from zero; None with no answers."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    exact = 100 * (promoters - detractors) / total
    return int(math.copysign(math.floor(abs(exact) + 0.5), exact))


def standard_error(promoters: int, passives: int, detractors: int) -> float | None:
    n = promoters + passives + detractors
    if n == 0:
        return None
    p, d = promoters / n, detractors / n
    return math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)


def margin_of_error(promoters: int, passives: int, detractors: int) -> float | None:
    """The 95 % margin in NPS points, to one decimal."""
    se = standard_error(promoters, passives, detractors)
    return None if se is None else round(Z95 * 100 * se, 1)


@dataclass(frozen=True)
class Score:
    """What any page shows for a set of answers."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: int | None
    exact: float | None  # unrounded, for comparisons
    margin: float | None
    low_sample: bool

    @property
    def promoter_share(self) -> float | None:
        return round(100 * self.promoters / self.n, 1) if self.n else None

    @property
    def passive_share(self) -> float | None:
        return round(100 * self.passives / self.n, 1) if self.n else None

    @property
    def detractor_share(self) -> float | None:
        return round(100 * self.detractors / self.n, 1) if self.n else None


def score_from_categories(promoters: int, passives: int, detractors: int, *, low_sample: int = LOW_SAMPLE) -> Score:
    n = promoters + passives + detractors
    return Score(
        n=n, promoters=promoters, passives=passives, detractors=detractors,
        nps=nps(promoters, passives, detractors),
        exact=100 * (promoters - detractors) / n if n else None,
        margin=margin_of_error(promoters, passives, detractors),
        low_sample=n < low_sample,
    )


def score_from_histogram(histogram: Sequence[int], *, low_sample: int = LOW_SAMPLE) -> Score:
    """From the count of each score 0–10 (what the rollups store)."""
    if len(histogram) != 11:
        raise ValueError("a histogram has eleven counts, for the scores 0 to 10")
    return score_from_categories(sum(histogram[PROMOTER_MIN:]), sum(histogram[PASSIVE_MIN:PROMOTER_MIN]),
                                 sum(histogram[:PASSIVE_MIN]), low_sample=low_sample)


def change_is_significant(current: Score, previous: Score) -> bool | None:
    """Whether the change between two periods is larger than chance would explain (95 %)."""
    if not current.n or not previous.n:
        return None
    se1 = standard_error(current.promoters, current.passives, current.detractors)
    se2 = standard_error(previous.promoters, previous.passives, previous.detractors)
    threshold = Z95 * 100 * math.sqrt(se1 ** 2 + se2 ** 2)
    return abs(current.exact - previous.exact) > threshold


BANDS = [(70, gettext_lazy("world class")), (50, gettext_lazy("excellent")), (30, gettext_lazy("good")),
         (0, gettext_lazy("positive"))]


def reading(value: int | None) -> str:
    """The common reading of a score (industry benchmarks differ; organizations set a target)."""
    if value is None:
        return ""
    for floor, label in BANDS:
        if value > floor:
            return label
    return gettext_lazy("negative") if value < 0 else gettext_lazy("neutral")
