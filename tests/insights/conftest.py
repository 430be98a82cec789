"""A small organization for the insights tests: one customer survey, one employee survey, two
departments, and answers whose comments carry known analyses (written as rows, so the figures
can be recounted by hand whatever the engine would say)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from nps_platform.tenancy import tenant_context
from tests.dashboards.conftest import published
from tests.dashboards.helpers import add_responses, local, rebuild

WEEK1 = dt.date(2025, 3, 3)  # a Monday
WEEK2 = dt.date(2025, 3, 10)
PERIOD = "from=2025-03-03&to=2025-03-16"

# (score, week, comment, sentiment, themes)
CUSTOMER = [
    (10, WEEK1, "Søde og hjælpsomme medarbejdere", "positive", ["staff"]),
    (10, WEEK1, "Great staff", "positive", ["staff"]),
    (9, WEEK2, "Venligt personale", "positive", ["staff"]),
    (9, WEEK2, "Fint", "neutral", []),
    (8, WEEK2, "Leveringen tog lidt tid", "neutral", ["delivery"]),
    (7, WEEK1, "Okay", "neutral", []),
    (6, WEEK1, "Leveringen var forsinket", "negative", ["delivery"]),
    (5, WEEK1, "Pakken kom for sent", "negative", ["delivery"]),
    (3, WEEK2, "Levering tog tre uger", "negative", ["delivery", "communication"]),
    (0, WEEK2, "Aldrig leveret", "negative", ["delivery"]),
    (10, WEEK1, "", None, []),
    (2, WEEK2, "", None, []),
]


@dataclass
class Small:
    organization: object
    owner: object
    cnps: object = None
    enps: object = None
    departments: dict = field(default_factory=dict)
    responses: list = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.organization.slug


def analyse_as(organization, response, sentiment, keys, confidence=0.9):
    """Writes a response's analysis as given (the fixture's known answer), and recounts its
    slice of the comment rollups, as the product does where it writes an analysis."""
    from insights.models import CommentAnalysis, CommentTheme, Theme
    from insights.rollups import comment_rollup_refresh
    from insights.services import taxonomy_ensure

    with tenant_context(organization):
        taxonomy_ensure(organization=organization)
        analysis = CommentAnalysis.objects.create(
            organization=organization, response=response, sentiment=sentiment, confidence=confidence,
            engine="fixture", fingerprint="fixture", analysed_at=timezone.now())
        for rank, key in enumerate(keys):
            CommentTheme.objects.create(organization=organization, analysis=analysis,
                                        theme=Theme.objects.get(key=key), rank=rank)
        day = response.created_at.astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()
        comment_rollup_refresh(organization=organization, survey_id=response.survey_id, day=day)


@pytest.fixture
def small(make_org):
    from organizations.models import Department

    organization, owner = make_org("Cykelhuset ApS")
    organization.time_zone = "Europe/Copenhagen"
    organization.save(update_fields=["time_zone"])
    s = Small(organization, owner)
    with tenant_context(organization):
        s.departments = {"a": Department.objects.create(organization=organization, name="Butik A"),
                         "b": Department.objects.create(organization=organization, name="Butik B")}
    s.cnps = published(organization, owner, name="Kunder", languages=("da", "en"))
    s.enps = published(organization, owner, template="employee", name="Medarbejdere", languages=("da", "en"))
    specs = [{"score": score, "at": local(week + dt.timedelta(days=i % 5)), "comment": comment, "language": "da",
              "department": s.departments["a" if i % 2 else "b"]}
             for i, (score, week, comment, _s, _t) in enumerate(CUSTOMER)]
    s.responses = add_responses(organization, s.cnps, specs)
    for response, (_score, _week, comment, sentiment, keys) in zip(s.responses, CUSTOMER, strict=True):
        if comment:
            analyse_as(organization, response, sentiment, keys)
    rebuild(organization)
    return s
