"""Closed-loop tasks: thin wrappers, ids in, safe to run twice."""

from django.utils import timezone

from nps_platform.celery import app
from nps_platform.periodic import each_organization
from organizations.models import Organization
from organizations.tenancy import tenant_task
from responses.models import Response

from . import services
from .models import Alert, WebhookDelivery


@app.task(name="followups.response_follow_up", max_retries=5, autoretry_for=(Exception,), retry_backoff=True,
          retry_jitter=True)
@tenant_task
def response_follow_up_task(*, response_id: int, organization) -> list[int]:
    response = Response.objects.select_related("survey", "employee", "contact").filter(pk=response_id).first()
    if response is None:
        return []
    alert_ids = services.response_follow_up(response=response)
    for alert_id in alert_ids:  # sent at once, in this worker: within seconds of the answer
        try:
            services.alert_send(alert=Alert.objects.get(pk=alert_id))
        except Exception:  # the alert keeps its state; the retry below and the sweep pick it up
            alert_send_task.apply_async(kwargs={"alert_id": alert_id, "organization_id": organization.pk},
                                        countdown=30)
    return alert_ids


@app.task(name="followups.alert_send", max_retries=5, autoretry_for=(Exception,), retry_backoff=30,
          retry_jitter=True)
@tenant_task
def alert_send_task(*, alert_id: int, organization) -> str:
    alert = Alert.objects.filter(pk=alert_id).first()
    return services.alert_send(alert=alert) if alert else "missing"


@app.task(name="followups.webhook_deliver")
@tenant_task
def webhook_deliver_task(*, delivery_id: int, organization) -> str:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    return services.webhook_deliver(delivery=delivery) if delivery else "missing"


@app.task(name="followups.tick", time_limit=600)
def followups_tick() -> dict:
    """Every minute: case reminders and escalations, webhook retries."""
    now = timezone.now()
    result = {"reminded": 0, "escalated": 0}
    for counts in each_organization(
            Organization.objects.filter(is_active=True), task="followups.tick",
            work=lambda organization: services.cases_remind_and_escalate(organization=organization, now=now)):
        for key, value in counts.items():
            result[key] += value
    result["webhook_retries"] = services.webhooks_retry_due(now=now)
    return result


@app.task(name="followups.sweep", time_limit=600)
def followups_sweep() -> dict:
    """Every five minutes: alerts that were lost on the way are found and sent."""
    return services.followups_sweep()


@app.task(name="followups.digest", time_limit=1800)
def followups_digest() -> int:
    """Hourly; each organization's digest goes out once a week on its day."""
    now = timezone.now()
    return sum(each_organization(
        Organization.objects.filter(is_active=True, digest_weekday__isnull=False), task="followups.digest",
        work=lambda organization: services.digest_send_due(organization=organization, now=now)))
