"""A saved answer's comment is analysed in a worker within seconds (the response stage does not
import us: it announces `response_saved` after commit)."""

from django.dispatch import receiver

from responses.services import response_saved


@receiver(response_saved)
def analyse_comment(sender, response_id, organization_id, deleted=False, **kwargs):
    from .tasks import comment_analyse

    if deleted:
        return  # its analysis goes with it (a cascade)
    comment_analyse.delay(response_id=response_id, organization_id=organization_id)
