"""`make run` without DATABASE_URL or REDIS_URL: SQLite, the file-system broker and the outbox.
PostgreSQL takes set-based statements on the sending and public-link paths; this runs those
paths on SQLite in a fresh process (migrate, seed_demo, then a script) so the demo keeps
working: the demo campaign's emails reach the outbox once each, and a public-link answer is
saved."""

from __future__ import annotations

from pathlib import Path

from tests.embedded import embedded_demo

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import django
django.setup()
from django.test import Client
from django.utils import timezone

from distribution.models import Campaign, EmailSend, Invitation
from distribution.services import campaign_start, campaigns_run_due, invitations_send
from nps_platform.mail import outbox_list
from nps_platform.tenancy import tenant_context
from organizations.models import Organization
from responses.models import Response
from surveys.models import Survey
from surveys.services import survey_public_link_set

organization = Organization.objects.get(slug="demo")
with tenant_context(organization):
    campaign = Campaign.objects.first()
    campaign_start(campaign=campaign, by=None)
    campaigns_run_due(now=timezone.now() + timezone.timedelta(days=8))
    ids = list(Invitation.objects.filter(campaign=campaign).values_list("pk", flat=True))
    for _ in range(2):  # a repeated batch sends nothing twice
        invitations_send(organization=organization, invitation_ids=ids, kind=EmailSend.Kind.INVITATION)
    sent = Invitation.objects.filter(campaign=campaign, status=Invitation.Status.SENT).count()
    survey = Survey.objects.get(pk=campaign.survey_id)
    survey_public_link_set(survey=survey, enabled=True, ask_department=False, by=None)
    survey.refresh_from_db()
    before = Response.objects.count()
answer = Client().post(f"/s/{survey.public_token}/", {"score": "10", "q-reason": "Hurtig service"})
with tenant_context(organization):
    saved = Response.objects.count() - before
    assert Response.objects.filter(comment="Hurtig service", channel="link").count() == saved
print(f"invitations={len(ids)} sent={sent} outbox={len(outbox_list(limit=10000))} answer={answer.status_code} "
      f"saved={saved}")
'''


def test_the_demo_sends_and_takes_answers_on_sqlite(tmp_path):
    run = embedded_demo(tmp_path)
    line = run("-c", SCRIPT).strip().splitlines()[-1]
    figures = dict(part.split("=") for part in line.split())
    assert int(figures["invitations"]) > 0
    assert figures["sent"] == figures["invitations"] == figures["outbox"]
    assert figures["answer"] == "302" and figures["saved"] == "1"
