"""An organization that changes its time zone: every rollup's day was counted in the old one (the
dashboards', the segments', the comments'), and a slice recounted afterwards counts its answers
by the new one, while the old rows of the neighbouring days still hold some of them. The
rollups must be counted again whole when the time zone changes, or an answer near midnight is
counted twice (`organizations.services.time_zone_changed`: the dashboards and the insights
rebuild theirs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase

from dashboards.rollups import rollup_refresh
from dashboards.selectors import dashboard_for
from nps_platform.tenancy import tenant_context
from organizations.access import actor_for
from organizations.models import Membership
from tests.dashboards.conftest import published
from tests.dashboards.helpers import add_responses, rebuild

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_an_answer_near_midnight_counts_once_after_the_time_zone_changes(make_org):
    from organizations.services import organization_settings_update

    organization, owner = make_org("Midnat ApS")
    organization.time_zone = "UTC"
    organization.save(update_fields=["time_zone"])
    survey = published(organization, owner, name="Relationship", languages=("en",))
    # 23:30 UTC on the 3rd: the 3rd in UTC, the 4th in Copenhagen
    [late] = add_responses(organization, survey, [{"score": 10, "comment": "Great bikes",
                                                   "at": dt.datetime(2025, 3, 3, 23, 30, tzinfo=UTC)}])
    rebuild(organization)
    with tenant_context(organization):
        from django.utils import timezone

        from insights.models import CommentAnalysis, SentimentRollup
        from insights.rollups import comment_rollups_rebuild

        CommentAnalysis.objects.create(organization=organization, response=late, sentiment="positive",
                                       confidence=0.9, engine="fixture", fingerprint="f", analysed_at=timezone.now())
        comment_rollups_rebuild(organization=organization)
        assert set(SentimentRollup.objects.values_list("day", flat=True)) == {dt.date(2025, 3, 3)}

    with tenant_context(organization), TestCase.captureOnCommitCallbacks(execute=True):
        organization.time_zone = "Europe/Copenhagen"
        organization_settings_update(organization=organization, by=owner, changed=["time_zone"])
    # the next answer of the 4th: its slice is recounted (in Copenhagen's day), as after any answer
    add_responses(organization, survey, [{"score": 2, "at": dt.datetime(2025, 3, 4, 10, 0, tzinfo=UTC)}])
    with tenant_context(organization):
        rollup_refresh(organization=organization, survey_id=survey.pk, day=dt.date(2025, 3, 4))
        board = dashboard_for(actor=actor_for(Membership.objects.get(user=owner)),
                              params={"from": "2025-03-01", "to": "2025-03-10"})
        assert sum(board.histogram()) == 2  # not 3: the answer of 23:30 in two days' rows
        assert set(SentimentRollup.objects.values_list("day", flat=True)) == {dt.date(2025, 3, 4)}
