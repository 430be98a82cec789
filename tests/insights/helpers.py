"""The comment rollups as stored, and the same figures recounted from the answers and their
analyses in Python, independently of `insights.rollups`."""

from __future__ import annotations

import zoneinfo
from collections import Counter

from nps_platform.tenancy import tenant_context


def comment_rollup_rows(organization) -> tuple[dict, dict]:
    """({(survey, day, department, category, sentiment): n}, {(survey, day, department, theme,
    category): n}) as stored."""
    from insights.models import SentimentRollup, ThemeRollup

    with tenant_context(organization):
        sentiments = Counter()
        for r in SentimentRollup.objects.all():
            key = (r.survey_id, r.day, r.department_id, r.category, r.sentiment)
            assert key not in sentiments, f"two rows for {key}"
            sentiments[key] = r.n
        themes = Counter()
        for r in ThemeRollup.objects.all():
            key = (r.survey_id, r.day, r.department_id, r.theme_id, r.category)
            assert key not in themes, f"two rows for {key}"
            themes[key] = r.n
    return dict(sentiments), dict(themes)


def comment_recount(organization, contact_ids=None) -> tuple[dict, dict]:
    """The same, counted one answer at a time: every answer with a comment (of these contacts'
    only, when given: a segment's rows), organization-wide (department None) and in its
    department, by its category and its analysis's sentiment ("" without one); each theme its
    analysis names, likewise."""
    from insights.models import CommentAnalysis
    from responses.models import Response

    tz = zoneinfo.ZoneInfo(organization.time_zone)
    sentiments, themes = Counter(), Counter()
    with tenant_context(organization):
        analyses = {a.response_id: a for a in CommentAnalysis.objects.prefetch_related("theme_links")}
        answers = Response.objects.all() if contact_ids is None else Response.objects.filter(
            contact_id__in=sorted(contact_ids))
        for r in answers:
            if r.comment == "":
                continue
            day = r.created_at.astimezone(tz).date()
            analysis = analyses.get(r.pk)
            for department_id in {None, r.department_id}:
                sentiments[(r.survey_id, day, department_id, r.category, analysis.sentiment if analysis else "")] += 1
                for link in analysis.theme_links.all() if analysis else ():
                    themes[(r.survey_id, day, department_id, link.theme_id, r.category)] += 1
    return dict(sentiments), dict(themes)
