"""Rollup upkeep in the workers."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from nps_platform.celery import app
from nps_platform.periodic import each_organization
from organizations.models import Organization
from organizations.tenancy import tenant_task
from responses.models import Response

from .reports import reports_send_due
from .rollups import rollup_refresh, rollups_rebuild
from .segment_rollups import segment_rollups_build


@app.task(name="dashboards.rollup_refresh", max_retries=5, autoretry_for=(Exception,), retry_backoff=True)
@tenant_task
def rollup_refresh_task(*, survey_id: int, day: str, organization) -> int:
    return rollup_refresh(organization=organization, survey_id=survey_id, day=dt.date.fromisoformat(day))


@app.task(name="dashboards.rollups_rebuild", time_limit=3600, max_retries=3, autoretry_for=(Exception,),
          retry_backoff=True)
@tenant_task
def rollups_rebuild_task(*, organization) -> int:
    """Every rollup of the organization counted again from its answers, its saved segments' with
    them (its time zone changed: each answer's day may be another one). Safe to run twice."""
    return rollups_rebuild(organization=organization)


@app.task(name="dashboards.reports", time_limit=1800)
def reports_send() -> int:
    """Hourly: scheduled report emails that are due."""
    now = timezone.now()
    return sum(each_organization(Organization.objects.filter(is_active=True), task="dashboards.reports",
                                 work=lambda organization: reports_send_due(organization=organization, now=now)))


@app.task(name="dashboards.rollups_refresh_for_contacts", time_limit=1800)
@tenant_task
def rollups_refresh_for_contacts(*, contact_ids: list[int], organization) -> int:
    """A contact's region or product changed: recount the slices their answers are in."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    slices = {(survey_id, created_at.astimezone(tz).date()) for survey_id, created_at in
              Response.objects.filter(contact_id__in=contact_ids).values_list("survey_id", "created_at")}
    return sum(rollup_refresh(organization=organization, survey_id=s, day=d) for s, d in sorted(slices))


@app.task(name="dashboards.segment_rollups_build", time_limit=1800, max_retries=5, autoretry_for=(Exception,),
          retry_backoff=True)
@tenant_task
def segment_rollups_build_task(*, segment_id: int, organization) -> int | None:
    """A saved segment's rollups counted whole (its members may have changed); nothing to do when
    they are current already, so a repeat is harmless."""
    return segment_rollups_build(organization=organization, segment_id=segment_id)
