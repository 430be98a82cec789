"""What the personal-link and public-link pages share: reading a score, the page's context,
and the friendly problem pages."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from nps_platform.parsing import parse_int
from surveys.presentation import ShownSurvey
from surveys.selectors import respondent_branding

from .services import TEXT_LIMIT

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def score_from(*values) -> int | None:
    """The first value that is a score 0–10."""
    for value in values:
        if (score := parse_int(value, 0, 10)) is not None:
            return score
    return None


def page_context(*, shown: ShownSurvey, score, answers: dict, errors: list, previous, organization,
                 form_action: str, **extra) -> dict:
    return {
        "shown": shown, "score": score, "answers": answers, "errors": errors, "form_action": form_action,
        "answered_before": previous is not None, "text_limit": TEXT_LIMIT,
        "language_choices": [(c, LANGUAGE_NAMES[c]) for c in shown.languages],
        **respondent_branding(organization=organization), **extra,
    }


def problem_page(request, template: str, status: int, *, organization=None, language: str | None = None):
    language = language or translation.get_language_from_request(request)
    context = respondent_branding(organization=organization) if organization else {"brand_name": ""}
    with translation.override(language):
        return render(request, f"respondent/{template}.html", {**context, "language": language}, status=status)
