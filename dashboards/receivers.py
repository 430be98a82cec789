"""A saved (or deleted) answer refreshes its rollup slice; the response stage does not import us."""

import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver

from contacts.services import contacts_changed
from organizations.models import Organization
from responses.services import response_saved

from .freshness import due_marker
from .tasks import rollup_refresh_task, rollups_refresh_for_contacts


@receiver(response_saved)
def refresh_rollup(sender, organization_id, survey_id, created_at, time_zone=None, **kwargs):
    """Schedules a recount of the answer's (survey, day) slice. With ROLLUP_REFRESH_DELAY > 0,
    answers to one slice within that many seconds share one recount: the first answer sets a
    marker that lives DELAY seconds and queues the recount to run after it has expired, so every
    answer that found the marker was committed before the recount reads. A busy day then costs one
    recount per DELAY instead of one per answer (each recount reads the whole day)."""
    if time_zone is None:
        time_zone = Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
    day = created_at.astimezone(zoneinfo.ZoneInfo(time_zone)).date().isoformat()
    kwargs = {"survey_id": survey_id, "day": day, "organization_id": organization_id}
    delay = settings.ROLLUP_REFRESH_DELAY
    if not delay:
        rollup_refresh_task.delay(**kwargs)
    elif cache.add(due_marker(organization_id, survey_id, day), 1, timeout=delay):
        rollup_refresh_task.apply_async(kwargs=kwargs, countdown=delay + 1)


@receiver(contacts_changed)
def refresh_for_contacts(sender, organization_id, contact_ids, **kwargs):
    rollups_refresh_for_contacts.delay(contact_ids=contact_ids, organization_id=organization_id)
