"""A saved response starts its follow-up in a worker (the response stage does not import us)."""

from django.dispatch import receiver

from responses.privacy import contact_erased
from responses.services import response_saved

from .models import CaseEvent
from .services import webhook_log_erase
from .tasks import response_follow_up_task


@receiver(response_saved)
def start_follow_up(sender, response_id, organization_id, deleted=False, **kwargs):
    if deleted:
        return
    response_follow_up_task.delay(response_id=response_id, organization_id=organization_id)


@receiver(contact_erased)
def scrub_cases(sender, organization, contact_id, response_ids, **kwargs):
    """Replies and notes on an erased contact's cases may quote them: the timeline's text goes."""
    CaseEvent.objects.filter(case__response_id__in=response_ids).exclude(text="").update(
        text="(removed: the contact's personal data was erased)")


@receiver(contact_erased)
def scrub_webhook_log(sender, organization, contact_id, response_ids, **kwargs):
    """The webhook delivery log keeps each payload sent: the erased contact's answers and cases
    leave it (the log keeps that an event went, not what it said)."""
    webhook_log_erase(organization=organization, response_ids=response_ids)
