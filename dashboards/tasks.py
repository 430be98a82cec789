"""Rollup upkeep in the workers."""

import datetime as dt

from nps_platform.celery import app
from nps_platform.tenancy import tenant_task

from .rollups import rollup_refresh


@app.task(name="dashboards.rollup_refresh", max_retries=5, autoretry_for=(Exception,), retry_backoff=True)
@tenant_task
def rollup_refresh_task(*, survey_id: int, day: str, organization) -> int:
    return rollup_refresh(organization=organization, survey_id=survey_id, day=dt.date.fromisoformat(day))
