"""NPS arithmetic shared by every stage that shows a score (the dashboards build on it)."""

from __future__ import annotations


def category_counts(scores) -> tuple[int, int, int]:
    promoters = passives = detractors = 0
    for score in scores:
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    return promoters, passives, detractors


def nps(promoters: int, passives: int, detractors: int) -> int | None:
    """% promoters − % detractors, rounded to a whole number; None with no answers."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return round(100 * (promoters - detractors) / total)
