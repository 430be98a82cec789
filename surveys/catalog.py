"""The starting points an admin can pick: survey templates with their default wording, and the
built-in texts respondents see. Every text here is marked for translation with a context, so
`locale/*/LC_MESSAGES/django.po` carries our own idiomatic wording for each language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext_lazy

NPS_LOW = pgettext_lazy("survey template", "Not at all likely")
NPS_HIGH = pgettext_lazy("survey template", "Extremely likely")
CSAT_LOW = pgettext_lazy("survey template", "Very dissatisfied")
CSAT_HIGH = pgettext_lazy("survey template", "Very satisfied")
REASON = pgettext_lazy("survey template", "What is the primary reason for your score?")
REASON_PROMOTER = pgettext_lazy("survey template", "What do you like most about us?")
REASON_PASSIVE = pgettext_lazy("survey template", "What would it take for us to earn a 9 or 10?")
REASON_DETRACTOR = pgettext_lazy("survey template", "What went wrong? How can we make it right?")
BETTER = pgettext_lazy("survey template", "What could we do better?")
SOURCE = pgettext_lazy("survey template", "How did you first hear about us?")
SOURCE_CHOICES = [
    ("recommendation", pgettext_lazy("survey template", "A recommendation from someone I know")),
    ("search", pgettext_lazy("survey template", "Search engine")),
    ("ads", pgettext_lazy("survey template", "Online advertising")),
    ("local_paper", pgettext_lazy("survey template", "Local newspaper")),
    ("social_media", pgettext_lazy("survey template", "Social media")),
]
OTHER_LABEL = pgettext_lazy("survey template", "Other:")
THANK_YOU = {
    "promoter": pgettext_lazy("survey template", "Thank you! We are glad you are happy with us."),
    "passive": pgettext_lazy("survey template", "Thank you for your feedback. We will use it to get better."),
    "detractor": pgettext_lazy("survey template", "Thank you for telling us. We are sorry we let you down, and we will look into it."),
}
REVIEW_INVITE = {
    "promoter": pgettext_lazy("survey template", "Would you share your experience with others?"),
    "passive": pgettext_lazy("survey template", "Have a moment to share your experience?"),
    "detractor": pgettext_lazy("survey template", "You are also welcome to share your experience publicly."),
}

NPS_TEXTS = {
    "relationship": pgettext_lazy("survey template", "How likely is it that you would recommend {company} to a friend or colleague?"),
    "transactional": pgettext_lazy(
        "survey template", "Based on your recent visit, how likely is it that you would recommend {company} to a friend or colleague?"
    ),
    "supplier": pgettext_lazy("survey template", "How likely is it that you would recommend {company} as a supplier to a business partner?"),
    "employee": pgettext_lazy("survey template", "How likely is it that you would recommend {company} as a place to work to a friend?"),
    "blank": pgettext_lazy("survey template", "How likely is it that you would recommend {company} to a friend or colleague?"),
}
CSAT_VISIT = pgettext_lazy("survey template", "How satisfied were you with the service visit?")
ENPS_CHANGE = pgettext_lazy("survey template", "What one change would make {company} a better place to work?")

# (key, type, texts by field, options) per template; the NPS question comes first in each.
TEMPLATES: dict[str, dict] = {
    "relationship": {
        "label": pgettext_lazy("survey template name", "Customer relationship (cNPS)"),
        "kind": "cnps",
        "questions": [
            ("reason", "text", {"text": REASON, "text_promoter": REASON_PROMOTER, "text_passive": REASON_PASSIVE,
                                "text_detractor": REASON_DETRACTOR}),
            ("better", "text", {"text": BETTER}),
            ("source", "single_choice", {"text": SOURCE, "other_label": OTHER_LABEL}),
        ],
    },
    "transactional": {
        "label": pgettext_lazy("survey template name", "After a purchase or service visit (transactional cNPS)"),
        "kind": "cnps",
        "questions": [
            ("reason", "text", {"text": REASON, "text_promoter": REASON_PROMOTER, "text_passive": REASON_PASSIVE,
                                "text_detractor": REASON_DETRACTOR}),
            ("touchpoint", "csat", {"text": CSAT_VISIT, "low_label": CSAT_LOW, "high_label": CSAT_HIGH}),
        ],
    },
    "supplier": {
        "label": pgettext_lazy("survey template name", "Business customers: us as a supplier (cNPS)"),
        "kind": "cnps",
        "questions": [
            ("reason", "text", {"text": REASON, "text_promoter": REASON_PROMOTER, "text_passive": REASON_PASSIVE,
                                "text_detractor": REASON_DETRACTOR}),
            ("better", "text", {"text": BETTER}),
        ],
    },
    "employee": {
        "label": pgettext_lazy("survey template name", "Employees (eNPS, anonymous)"),
        "kind": "enps",
        "questions": [
            ("reason", "text", {"text": REASON}),
            ("change", "text", {"text": ENPS_CHANGE}),
        ],
    },
    "blank": {
        "label": pgettext_lazy("survey template name", "Blank: only the NPS question"),
        "kind": "cnps",
        "questions": [],
    },
}


def translate_in(language: str, text) -> str:
    """A lazily translated catalogue text in one language ('en' gives the original)."""
    with translation.override(language):
        return str(text)


def texts_in(languages: list[str], text) -> dict[str, str]:
    return {code: translate_in(code, text) for code in languages}


def catalog_entries() -> list:
    return [
        NPS_LOW, NPS_HIGH, CSAT_LOW, CSAT_HIGH, REASON, REASON_PROMOTER, REASON_PASSIVE, REASON_DETRACTOR,
        BETTER, SOURCE, OTHER_LABEL, CSAT_VISIT, ENPS_CHANGE,
        *[label for _key, label in SOURCE_CHOICES], *THANK_YOU.values(), *REVIEW_INVITE.values(),
        *NPS_TEXTS.values(),
    ]


def catalog_text(english: str):
    """The catalogue entry whose English original is `english`, or None."""
    for entry in catalog_entries():
        if translate_in("en", entry) == english:
            return entry
    return None
