"""A saved answer's comment is analysed in a worker within seconds; it comes from the answers'
outbox (the response stage does not import us)."""

import datetime as dt

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from nps_platform.celery import task_enqueue
from organizations.services import time_zone_changed
from responses.outbox import handler_register

from .services import comment_rollups_answer_removed


def analyse_comments(*, organization, events):
    """The outbox's batch of an organization's answers. A deleted answer's analysis went with it
    (a cascade): the comment figures of its day are recounted. A new answer without a comment (the
    score first) has nothing to read. The others are analysed after the answer's rollup recount
    (due ROLLUP_REFRESH_DELAY + 1 s after it, unless the answer waited longer than that for a
    worker): the figures first, then the words — a cold worker's first analysis loads the
    embedding model (seconds of CPU), which must not hold up the dashboard's numbers (nor the
    batch's alerts, queued once it commits). Queued in the batch's transaction: a worker killed
    before its commit leaves the answers to be handled again, and an unchanged analysis is kept."""
    delay = settings.ROLLUP_REFRESH_DELAY
    recent = timezone.now() - dt.timedelta(seconds=delay)
    for event in events:
        if event.deleted:
            if event.has_comment:
                comment_rollups_answer_removed(organization_id=organization.pk, survey_id=event.survey_id,
                                               created_at=event.answered_at, time_zone=organization.time_zone)
        elif event.has_comment or not event.created:
            countdown = delay + 2 if delay and event.answered_at >= recent else None
            task_enqueue("insights.comment_analyse", countdown=countdown, response_id=event.response_id,
                         organization_id=organization.pk)


handler_register("insights.analyse_comments", analyse_comments)


@receiver(time_zone_changed)
def rebuild_for_time_zone(sender, organization_id, **kwargs):
    """Every comment rollup's day was the old time zone's: counted again whole."""
    task_enqueue("insights.comment_rollups_rebuild", organization_id=organization_id)
