"""Turns a survey definition (a published version's, or the draft's for a preview) into what
one respondent sees: texts resolved to their language with the default as a fallback, the
{company} placeholder filled, and the wording for their category picked."""

from __future__ import annotations

from dataclasses import dataclass, field

from nps_platform.nps_math import category_for_score as category_for_score  # the thresholds live there

from .models import CATEGORIES
from .texts import resolve


@dataclass
class ShownChoice:
    key: str
    label: str


@dataclass
class ShownQuestion:
    key: str
    type: str
    text: str
    help: str
    required: bool
    low_label: str = ""
    high_label: str = ""
    other_label: str = ""
    allow_other: bool = False
    choices: list[ShownChoice] = field(default_factory=list)
    by_category: dict[str, str] = field(default_factory=dict)  # wording per category, when it differs

    @property
    def scale(self) -> range:
        return range(0, 11) if self.type == "nps" else range(1, 6)


@dataclass
class ShownSurvey:
    language: str
    languages: list[str]
    anonymous: bool
    nps: ShownQuestion
    follow_ups: list[ShownQuestion]
    thank_you: str
    review_invite: str
    review_links: list[dict]


def survey_shown(*, definition: dict, language: str, category: str | None) -> ShownSurvey:
    default = definition["default_language"]
    if language not in definition["languages"]:
        language = default
    company = definition.get("company", "")

    def text(texts, name=None):
        return resolve(texts, language, default, name).replace("{company}", company)

    questions = []
    for q in definition["questions"]:
        wording = text(q["texts"], "text")
        by_category = {}
        if q.get("per_category"):
            by_category = {c: text(q["texts"], f"text_{c}") or wording for c in CATEGORIES}
            if category in CATEGORIES:
                wording = by_category[category]
        questions.append(ShownQuestion(
            key=q["key"], type=q["type"], text=wording, help=text(q["texts"], "help"), required=q["required"],
            low_label=text(q["texts"], "low_label"), high_label=text(q["texts"], "high_label"),
            other_label=text(q["texts"], "other_label"), allow_other=q.get("allow_other", False),
            choices=[ShownChoice(c["key"], text(c["texts"])) for c in q.get("choices", [])],
            by_category=by_category,
        ))
    nps = next(q for q in questions if q.type == "nps")
    by_category = category if category in CATEGORIES else "passive"
    return ShownSurvey(
        language=language,
        languages=definition["languages"],
        anonymous=definition.get("anonymous", False),
        nps=nps,
        follow_ups=[q for q in questions if q is not nps],
        thank_you=text(definition.get("thank_you", {}), by_category),
        review_invite=text(definition.get("review_invite", {}), by_category),
        review_links=[{"site": link["site"], "url": link["url"], "label": text(link["texts"])}
                      for link in definition.get("review_links", [])],
    )
