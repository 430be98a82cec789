"""A saved answer's comment is analysed in a worker within seconds (the response stage does not
import us: it announces `response_saved` after commit)."""

from django.dispatch import receiver

from nps_platform.celery import task_enqueue
from responses.services import response_saved


@receiver(response_saved)
def analyse_comment(sender, response_id, organization_id, deleted=False, **kwargs):
    if deleted:
        return  # its analysis goes with it (a cascade)
    task_enqueue("insights.comment_analyse", response_id=response_id, organization_id=organization_id)
