"""Comment analysis in the workers: one answer as it arrives, a whole organization after a
taxonomy change; and the comment rollups' recounts. All are safe to run twice (an unchanged
analysis is kept; a recount replaces its slice's rows)."""

import datetime as dt

from nps_platform.celery import app
from nps_platform.periodic import each_organization
from organizations.models import Organization
from organizations.tenancy import tenant_task

from . import rollups, services


@app.task(name="insights.comment_analyse", max_retries=3, autoretry_for=(Exception,), retry_backoff=True,
          time_limit=120, soft_time_limit=110)
@tenant_task
def comment_analyse(*, response_id: int, organization) -> int:
    return services.comment_analyse(organization=organization, response_id=response_id)


@app.task(name="insights.organization_reanalyse", time_limit=3600, soft_time_limit=3500)
@tenant_task
def organization_reanalyse(*, organization) -> int:
    return services.organization_reanalyse(organization=organization)


@app.task(name="insights.comment_rollup_refresh", max_retries=5, autoretry_for=(Exception,), retry_backoff=True)
@tenant_task
def comment_rollup_refresh(*, survey_id: int, day: str, organization) -> int:
    return rollups.comment_rollup_refresh(organization=organization, survey_id=survey_id,
                                          day=dt.date.fromisoformat(day))


@app.task(name="insights.comment_rollups_rebuild", time_limit=3600, soft_time_limit=3500)
@tenant_task
def comment_rollups_rebuild(*, organization) -> int:
    return rollups.comment_rollups_rebuild(organization=organization)


@app.task(name="insights.segment_comment_rollups_build", max_retries=3, autoretry_for=(Exception,),
          retry_backoff=True, time_limit=1800, soft_time_limit=1700)
@tenant_task
def segment_comment_rollups_build(*, segment_id: int, organization) -> int | None:
    return rollups.segment_comment_rollups_build(organization=organization, segment_id=segment_id)


@app.task(name="insights.suggestions_refresh", time_limit=3600, soft_time_limit=3500)
def suggestions_refresh() -> int:
    """Daily: each organization's suggested new themes from its latest comments that fit none."""
    return sum(each_organization(Organization.objects.filter(is_active=True), task="insights.suggestions_refresh",
                                 work=lambda organization: services.suggestions_refresh(organization=organization)))
