"""Distribution's writes, one module per concern:

- `campaigns`: a campaign's life (checks, start, pause, resume, one run) and its page's counts;
- `audience`: who a run may invite (segment, tag, employees; minus suppressed and already invited);
- `quiet_period`: nobody asked again within N days of their last invitation;
- `scheduling`: weekday-morning send times, a recurring campaign's next period;
- `invitations`: one invitation (and link) per campaign and person, written a chunk at a time;
- `triggers`: an event for one person schedules their survey;
- `tick`: the minute tick that runs due campaigns and hands due emails to workers;
- `reminders`: which invitations are due a reminder;
- `sending`: a batch of emails over one connection, each claimed before it goes;
- `suppression`: unsubscribes, bounces and complaints stop sends at once;
- `sql`: the set-based statements, PostgreSQL's and the embedded SQLite's equivalents.

The names other apps and the views use are importable from `distribution.services`."""

from .audience import audience_contacts, audience_eligible, suppressed_emails
from .campaigns import (
    CampaignError,
    campaign_create,
    campaign_pause,
    campaign_progress,
    campaign_resume,
    campaign_run,
    campaign_start,
    campaign_validate,
)
from .invitations import invitation_for, invitations_create
from .sending import CLAIM_CHUNK, MAX_ATTEMPTS, invitations_send, send_lease_renew
from .suppression import delivery_event, invitations_cancel_for, unsubscribe
from .tick import (
    CLAIM_SLICE,
    ENQUEUE_LIMIT,
    QUEUED_LEASE,
    SEND_BATCH,
    campaigns_run_due,
    distribution_tick,
    send_lease,
    sends_enqueue_due,
    stale_claims_resend,
)
from .triggers import TriggerResult, trigger_event

__all__ = [
    "CLAIM_CHUNK", "CLAIM_SLICE", "ENQUEUE_LIMIT", "MAX_ATTEMPTS", "QUEUED_LEASE", "SEND_BATCH", "CampaignError",
    "TriggerResult", "audience_contacts", "audience_eligible", "campaign_create", "campaign_pause", "campaign_progress",
    "campaign_resume", "campaign_run", "campaign_start", "campaign_validate", "campaigns_run_due", "delivery_event",
    "distribution_tick", "invitation_for", "invitations_cancel_for", "invitations_create", "invitations_send",
    "send_lease", "send_lease_renew", "sends_enqueue_due", "stale_claims_resend", "suppressed_emails",
    "trigger_event", "unsubscribe",
]
