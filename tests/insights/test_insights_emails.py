"""Top themes in the weekly digest and the report email, read for their own readers."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core import mail

from nps_platform.tenancy import tenant_context

MONDAY = dt.datetime(2025, 3, 17, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Copenhagen"))


def _delivery(organization) -> str:
    from insights.models import Theme

    with tenant_context(organization):
        return Theme.objects.get(key="delivery").label("en")


def _themes_section(body: str) -> list[str]:
    lines = body.split("Top themes:", 1)[1].strip().splitlines()
    return [line for line in lines if line.startswith("- ")]


def test_the_report_email_lists_the_weeks_top_themes(small):
    from dashboards.models import ReportSubscription
    from dashboards.reports import reports_send_due

    with tenant_context(small.organization):
        ReportSubscription.objects.create(organization=small.organization, user=small.owner, every="week")
        assert reports_send_due(organization=small.organization, now=MONDAY) == 1
    [message] = mail.outbox
    # 10–16 March: delivery in 8, 3 and 0 (a passive, two detractors: −67), staff in 9, communication in 3
    assert _themes_section(message.body)[0].startswith(f"- {_delivery(small.organization)}: 3 comments, NPS -67")
    assert len(_themes_section(message.body)) == 3


def test_the_digest_lists_its_departments_top_themes(small):
    from followups.services import digest_send_due
    from organizations.models import Employee

    organization = small.organization
    with tenant_context(organization):
        organization.digest_weekday = 0
        organization.save(update_fields=["digest_weekday"])
        Employee.objects.create(organization=organization, name="Bo Butik", email="bo@butik.dk",
                                department=small.departments["b"], is_customer_facing=True)
        assert digest_send_due(organization=organization, now=MONDAY) == 1
    [message] = mail.outbox
    # Butik B since 10 March: delivery in 8 and 3, staff in 9, communication in 3; A's 0 is not B's
    themes = _themes_section(message.body)
    assert themes[0].startswith(f"- {_delivery(organization)}: 2 comments, NPS -50")
    assert len(themes) == 3
