"""Celery tasks for sending: thin wrappers around services, ids in."""

from nps_platform.celery import app
from organizations.tenancy import tenant_task

from . import services


@app.task(name="distribution.tick", time_limit=300, soft_time_limit=280)
def distribution_tick() -> dict:
    """Every minute (beat): schedule due campaigns and hand due emails to the workers."""
    return services.distribution_tick()


@app.task(name="distribution.invitations_send", time_limit=600, soft_time_limit=570, acks_late=True)
@tenant_task
def invitations_send(*, organization, invitation_ids: list[int], kind: str) -> dict:
    return services.invitations_send(organization=organization, invitation_ids=invitation_ids, kind=kind)
