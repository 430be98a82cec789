"""A saved (or deleted) answer refreshes its rollup slice, a contact change marks the segment
rollups stale; the response and contact stages do not import us."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from contacts.models import Segment
from contacts.services import contacts_changed, segment_members_changed
from nps_platform.tenancy import current_organization_or_none, tenant_context
from organizations.models import Department, Organization
from organizations.services import time_zone_changed
from responses.models import Response
from responses.outbox import handler_register

from .freshness import due_marker
from .segment_rollups import segment_rollups_stale
from .tasks import rollup_refresh_task, rollups_rebuild_task, rollups_refresh_for_contacts


def refresh_rollups(*, organization, events):
    """The outbox's batch of an organization's saved, changed or deleted answers: a recount of
    each (survey, day) slice they are in. With ROLLUP_REFRESH_DELAY > 0, answers to one slice
    within that many seconds share one recount: the first sets a marker that lives DELAY seconds
    and queues the recount to run after it has expired, so every answer that found the marker was
    committed before the recount reads (answers are committed before their outbox event is seen).
    A busy day then costs one recount per DELAY instead of one per answer (each recount reads the
    whole day). A slice whose answers are all older than DELAY (a backlog: answers given while no
    worker ran) is recounted at once: nothing of it is arriving to share the recount with. Queued
    at once, not after the batch's commit: the recount reads only the answers, and a batch rolled
    back and handled again finds the marker."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    delay = settings.ROLLUP_REFRESH_DELAY
    recent = timezone.now() - dt.timedelta(seconds=delay)
    slices: dict[tuple[int, str], bool] = {}  # (survey, day) → an answer of it is recent
    for event in events:
        key = (event.survey_id, event.answered_at.astimezone(tz).date().isoformat())
        slices[key] = slices.get(key, False) or event.answered_at >= recent
    for (survey_id, day), arriving in sorted(slices.items()):
        kwargs = {"survey_id": survey_id, "day": day, "organization_id": organization.pk}
        if not delay or not arriving:
            rollup_refresh_task.delay(**kwargs)
        elif cache.add(due_marker(organization.pk, survey_id, day), 1, timeout=delay):
            rollup_refresh_task.apply_async(kwargs=kwargs, countdown=delay + 1)


handler_register("dashboards.refresh_rollups", refresh_rollups)


@receiver(contacts_changed)
def refresh_for_contacts(sender, organization_id, contact_ids, **kwargs):
    rollups_refresh_for_contacts.delay(contact_ids=contact_ids, organization_id=organization_id)


@receiver(segment_members_changed)
def segment_rollups_changed(sender, organization_id, contact_ids, segment_id, deleting=False, **kwargs):
    """In the change's own transaction: the segments' rollups are stale from its commit on. Contacts
    about to be deleted: their answers lose them (and their region and product), so the slices
    those answers are in are recounted after commit — read now, while the answers point to them."""
    organization = current_organization_or_none()
    if organization is None or organization.pk != organization_id:
        organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization):
        segment_rollups_stale(organization=organization, contact_ids=contact_ids, segment_id=segment_id)
        if deleting and contact_ids:
            tz = zoneinfo.ZoneInfo(organization.time_zone)
            answers = Response.objects.filter(contact_id__in=contact_ids).values_list("survey_id", "created_at")
            slices = sorted({(survey, at.astimezone(tz).date().isoformat()) for survey, at in answers})
            transaction.on_commit(lambda: [
                rollup_refresh_task.delay(survey_id=s, day=d, organization_id=organization_id) for s, d in slices])


@receiver(pre_delete, sender=Department)
def segment_rollups_department_gone(sender, instance, **kwargs):
    """A department about to go: its contacts lose it, so a segment filtered on that department
    loses them, and no other segment's members change (a contact's department is no other filter's
    business; the answers' own department rows go with the department). Those segments are found by
    one query over the segments' filters — never by a list of the department's contacts, which may
    be every contact — and each is marked as a saved segment is (its rollups and comment rows stale
    in this transaction, rebuilt after commit)."""
    organization = current_organization_or_none()
    if organization is None or organization.pk != instance.organization_id:
        organization = Organization.objects.get(pk=instance.organization_id)
    with tenant_context(organization):
        segment_ids = sorted(Segment.objects.filter(Q(filters__department=str(instance.pk))
                                                    | Q(filters__department=instance.pk))
                             .values_list("pk", flat=True))
    for segment_id in segment_ids:
        segment_members_changed.send(sender=Segment, organization_id=organization.pk, contact_ids=[],
                                     segment_id=segment_id)


@receiver(time_zone_changed)
def rebuild_for_time_zone(sender, organization_id, **kwargs):
    """Every rollup row's day was the old time zone's: counted again whole (a slice recounted by
    the new one alone would leave an answer near midnight in two days' rows)."""
    rollups_rebuild_task.delay(organization_id=organization_id)
