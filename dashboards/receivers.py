"""A saved (or deleted) answer refreshes its rollup slice; the response stage does not import us."""

import zoneinfo

from django.dispatch import receiver

from contacts.services import contacts_changed
from responses.services import response_saved


@receiver(response_saved)
def refresh_rollup(sender, organization_id, survey_id, created_at, **kwargs):
    from organizations.models import Organization

    from .tasks import rollup_refresh_task

    time_zone = Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
    day = created_at.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    rollup_refresh_task.delay(survey_id=survey_id, day=day.isoformat(), organization_id=organization_id)


@receiver(contacts_changed)
def refresh_for_contacts(sender, organization_id, contact_ids, **kwargs):
    from .tasks import rollups_refresh_for_contacts

    rollups_refresh_for_contacts.delay(contact_ids=contact_ids, organization_id=organization_id)
