"""A saved response starts its follow-up in a worker (the response stage does not import us)."""

from django.dispatch import receiver

from responses.services import response_saved


@receiver(response_saved)
def start_follow_up(sender, response_id, organization_id, deleted=False, **kwargs):
    from .tasks import response_follow_up_task

    if deleted:
        return
    response_follow_up_task.delay(response_id=response_id, organization_id=organization_id)
