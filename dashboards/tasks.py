"""Rollup upkeep in the workers."""

import datetime as dt

from nps_platform.celery import app
from nps_platform.tenancy import tenant_task

from .rollups import rollup_refresh


@app.task(name="dashboards.rollup_refresh", max_retries=5, autoretry_for=(Exception,), retry_backoff=True)
@tenant_task
def rollup_refresh_task(*, survey_id: int, day: str, organization) -> int:
    return rollup_refresh(organization=organization, survey_id=survey_id, day=dt.date.fromisoformat(day))


@app.task(name="dashboards.reports", time_limit=1800)
def reports_send() -> int:
    """Hourly: scheduled report emails that are due."""
    from django.utils import timezone

    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization

    from .reports import reports_send_due

    sent = 0
    now = timezone.now()
    for organization in Organization.objects.filter(is_active=True):
        with tenant_context(organization):
            sent += reports_send_due(organization=organization, now=now)
    return sent
