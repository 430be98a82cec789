"""A saved response starts its follow-up in a worker, taken from the answers' outbox (the
response stage does not import us); an erased contact's words leave the closed loop's records."""

from django.dispatch import receiver

from responses.outbox import handler_register
from responses.privacy import contact_erased

from .models import CaseEvent
from .services import responses_follow_up, webhook_log_erase


def follow_up(*, organization, events):
    """The outbox's batch of an organization's answers: alerts, cases and webhooks (not for a
    deleted answer)."""
    response_ids = [event.response_id for event in events if not event.deleted]
    if response_ids:
        responses_follow_up(organization=organization, response_ids=response_ids)


handler_register("followups.follow_up", follow_up)


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
