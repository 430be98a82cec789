"""The demo's first start (`make run` → seed_demo, then the worker and beat): its historical
answers come with their follow-up already done, so nobody is mailed ~44 alerts."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from followups.models import Alert, Case
from followups.services import followups_sweep
from followups.tasks import followups_tick
from nps_platform.tenancy import tenant_context
from organizations.models import Organization


def test_the_first_start_mails_no_alerts_for_demo_history(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the answers' own follow-up tasks run
        call_command("seed_demo", slug="demo", email="owner@demo.example", password="x-Secret-123456")
    organization = Organization.objects.get(slug="demo")
    with django_capture_on_commit_callbacks(execute=True):
        followups_sweep(now=timezone.now() + dt.timedelta(minutes=10))  # the sweep's first round
        followups_tick()  # beat's first minute: reminders and escalations
    alerts = [m.subject for m in mail.outbox]
    assert alerts == []
    with tenant_context(organization):
        assert Alert.objects.exists() and not Alert.objects.exclude(status=Alert.Status.SENT).exists()
        # The history is handled; the last few days' cases stay open, in time, for the inbox.
        open_cases = Case.objects.filter(status__in=Case.OPEN)
        assert Case.objects.filter(status=Case.Status.CLOSED).count() > open_cases.count()
        assert not open_cases.filter(due_at__lt=timezone.now()).exists()
