"""A saved answer's comment is analysed in a worker within seconds (the response stage does not
import us: it announces `response_saved` after commit)."""

from django.conf import settings
from django.dispatch import receiver

from nps_platform.celery import task_enqueue
from organizations.services import time_zone_changed
from responses.services import response_saved

from .services import comment_rollups_answer_removed


@receiver(response_saved)
def analyse_comment(sender, response_id, organization_id, deleted=False, created=False, has_comment=True,
                    survey_id=None, created_at=None, time_zone=None, **kwargs):
    if deleted:  # its analysis goes with it (a cascade); the comment figures of its day are recounted
        if has_comment and survey_id is not None and created_at is not None:
            comment_rollups_answer_removed(organization_id=organization_id, survey_id=survey_id,
                                           created_at=created_at, time_zone=time_zone)
        return
    if created and not has_comment:
        return  # a new answer without a comment (the score first): nothing to read, no task to queue
    # After the answer's rollup recount (due ROLLUP_REFRESH_DELAY + 1 s after it): the figures
    # first, then the words — a cold worker's first analysis loads the embedding model (seconds of
    # CPU), which must not hold up the dashboard's numbers.
    delay = settings.ROLLUP_REFRESH_DELAY
    task_enqueue("insights.comment_analyse", countdown=delay + 2 if delay else None,
                 response_id=response_id, organization_id=organization_id)


@receiver(time_zone_changed)
def rebuild_for_time_zone(sender, organization_id, **kwargs):
    """Every comment rollup's day was the old time zone's: counted again whole."""
    task_enqueue("insights.comment_rollups_rebuild", organization_id=organization_id)
