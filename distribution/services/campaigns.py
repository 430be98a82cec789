"""A campaign's life: checks before it starts, start, pause and resume, one run (pick the
people, schedule their invitations), and the counts its page shows."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from organizations.models import User
from organizations.services import audit_record
from surveys.models import SurveyStatus

from ..models import Campaign, EmailSend, Invitation
from .audience import audience_contacts, audience_eligible
from .invitations import invitations_create
from .scheduling import morning_slots, next_period_start


class CampaignError(ValueError):
    pass


def campaign_validate(*, campaign: Campaign) -> None:
    survey = campaign.survey
    if survey.current_version_id is None or survey.status != SurveyStatus.PUBLISHED:
        raise CampaignError(f"The survey “{survey.name}” must be published (and not paused or closed) first.")
    if survey.is_anonymous != (campaign.audience == Campaign.Audience.EMPLOYEES):
        raise CampaignError("Employee (eNPS) surveys go to employees, and customer surveys to contacts.")
    if campaign.audience == Campaign.Audience.SEGMENT and campaign.segment_id is None:
        raise CampaignError("Choose the segment.")
    if campaign.audience == Campaign.Audience.TAG and campaign.tag_id is None:
        raise CampaignError("Choose the tag.")
    if campaign.schedule == Campaign.Schedule.RECURRING:
        if not campaign.every:
            raise CampaignError("Choose how often the campaign runs.")
        if not (campaign.sample_size or campaign.sample_percent):
            raise CampaignError("Say how many contacts, or what share of the audience, to ask each period.")


def campaign_create(*, organization, fields: dict, start: bool = False, by: User | None) -> Campaign:
    """A new campaign of these (validated) fields; with `start`, started at once — or, if it may
    not start yet (CampaignError), not created at all."""
    with transaction.atomic():
        campaign = Campaign.objects.create(organization=organization, created_by=by, **fields)
        if start:
            campaign_start(campaign=campaign, by=by)
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, by: User) -> Campaign:
    campaign_validate(campaign=campaign)
    now = timezone.now()
    if campaign.schedule == Campaign.Schedule.TRIGGERED:
        campaign.status, campaign.next_run_at = Campaign.Status.ACTIVE, None
    else:
        campaign.status = Campaign.Status.SCHEDULED
        campaign.next_run_at = max(campaign.send_at or now, now) if campaign.send_at else now
    campaign.save(update_fields=["status", "next_run_at"])
    audit_record(organization=campaign.organization, actor=by, action="campaign.started", target=campaign,
                 summary=campaign.name)
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, by: User) -> Campaign:
    campaign.status = Campaign.Status.PAUSED
    campaign.save(update_fields=["status"])
    audit_record(organization=campaign.organization, actor=by, action="campaign.paused", target=campaign,
                 summary=campaign.name)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, by: User) -> Campaign:
    campaign_validate(campaign=campaign)
    active = campaign.schedule == Campaign.Schedule.TRIGGERED or (
        campaign.schedule == Campaign.Schedule.RECURRING and campaign.last_run_at is not None)
    campaign.status = Campaign.Status.ACTIVE if active else Campaign.Status.SCHEDULED
    campaign.save(update_fields=["status"])
    return campaign


def campaign_run(*, campaign: Campaign, now: dt.datetime) -> int:
    """One run of a due campaign: pick the people and schedule their invitations."""
    rng = random.Random(f"{campaign.pk}:{now.isoformat()}")
    if campaign.survey.status != SurveyStatus.PUBLISHED:
        return 0  # a paused or closed survey sends nothing; the campaign waits
    eligible = audience_eligible(campaign=campaign, now=now)
    if campaign.schedule == Campaign.Schedule.ONCE:
        count = invitations_create(campaign=campaign, people=eligible, slots=[now] * len(eligible))
        campaign.status, campaign.next_run_at = Campaign.Status.FINISHED, None
    else:  # recurring: a rolling sample spread over the period's weekday mornings
        audience_size = len(eligible) if campaign.audience == Campaign.Audience.EMPLOYEES else \
            audience_contacts(campaign=campaign).count()
        wanted = campaign.sample_size or max(1, round(audience_size * (campaign.sample_percent or 0) / 100))
        sample = rng.sample(eligible, min(wanted, len(eligible)))
        next_run = next_period_start(campaign, now)
        slots = morning_slots(organization=campaign.organization, start=now, end=next_run, count=len(sample),
                              rng=rng)
        count = invitations_create(campaign=campaign, people=sample, slots=slots)
        campaign.status = Campaign.Status.ACTIVE
        campaign.next_run_at = next_run
    campaign.last_run_at = now
    campaign.last_error, campaign.last_error_at = "", None
    campaign.save(update_fields=["status", "next_run_at", "last_run_at", "last_error", "last_error_at"])
    return count


def campaign_progress(*, campaign: Campaign) -> dict:
    counts = Invitation.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        scheduled=Count("pk", filter=Q(status=Invitation.Status.SCHEDULED)),
        sent=Count("pk", filter=Q(status__in=[Invitation.Status.SENT])),
        failed=Count("pk", filter=Q(status=Invitation.Status.FAILED)),
        bounced=Count("pk", filter=Q(status=Invitation.Status.BOUNCED)),
        cancelled=Count("pk", filter=Q(status=Invitation.Status.CANCELLED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminder_sent_at__isnull=False)),
    )
    delivered = counts["sent"] + counts["bounced"]
    counts["response_rate"] = round(100 * counts["responded"] / delivered) if delivered else None
    # What the sends say (one query): retrying, being sent, and sent again after a worker died.
    sends = EmailSend.objects.filter(invitation__campaign=campaign).aggregate(
        retrying=Count("pk", filter=Q(status=EmailSend.Status.RETRY)),
        sending=Count("pk", filter=Q(status=EmailSend.Status.SENDING)),
        maybe_twice=Count("pk", filter=Q(maybe_duplicate=True)),
    )
    counts.update(sends)
    counts["errors"] = list(EmailSend.objects.filter(invitation__campaign=campaign).filter(
        Q(status__in=[EmailSend.Status.FAILED, EmailSend.Status.RETRY]) | Q(maybe_duplicate=True))
        .select_related("invitation").order_by("-claimed_at")[:20])
    return counts
