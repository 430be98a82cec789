"""The weekly digest: on the organization's day, from 08:00 local time, each department's
customer-facing employees get the week's score and comments for their department and the teams
inside it, once a week; employee survey answers never appear, and employees are named only when
the organization shows individual scores to all members."""

from __future__ import annotations

import datetime as dt

import pytest

from nps_platform.tenancy import tenant_context

from .conftest import local

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-09"  # a Monday; the answers below are from the week before it


@pytest.fixture
def feedback(tree, answer, invite, answer_personal, published_survey):
    """Sales (with the team North inside it) and Support, their employees, and a week of answers:
    North 9 about Erik, Sales 3 and 10, Support 10, an employee survey answer in Sales, and an
    answer from three weeks ago."""
    from organizations.models import Department, Employee
    from responses.models import Response

    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    sales = tree["sales"]
    with tenant_context(organization):
        support = Department.objects.create(organization=organization, name="Support")
        warehouse = Department.objects.create(organization=organization, name="Warehouse")
        people = {
            "sara": Employee.objects.create(organization=organization, name="Sara Sales", email="sara@shop.dk",
                                            department=sales),
            "carl": Employee.objects.create(organization=organization, name="Carl Back-office", email="carl@shop.dk",
                                            department=sales, is_customer_facing=False),
            "olga": Employee.objects.create(organization=organization, name="Olga Former", email="olga@shop.dk",
                                            department=sales, is_active=False),
            "nils": Employee.objects.create(organization=organization, name="Nils Noemail", email="",
                                            department=sales),
            "sune": Employee.objects.create(organization=organization, name="Sune Support", email="sune@shop.dk",
                                            department=support),
            "wilma": Employee.objects.create(organization=organization, name="Wilma Warehouse",
                                             email="wilma@shop.dk", department=warehouse),
        }
    answer(organization, survey, 9, "Erik knew exactly what I needed", employee=tree["erik"])
    answer(organization, survey, 3, "Slow delivery", department=sales)
    answer(organization, survey, 10, "", department=sales)  # a score without a comment
    answer(organization, survey, 10, "Quick help on the phone", department=support)
    old = answer(organization, survey, 0, "Old news from May", department=sales)
    enps = published_survey(organization, owner, languages=("en",), template="employee", name="eNPS")
    for person, score, comment in ((tree["erik"], 2, "Too much overtime in North"),
                                   (people["wilma"], 1, "The warehouse is freezing")):
        invitation, _ = invite(organization, owner, enps, person)
        answer_personal(invitation, score, comment)
    with tenant_context(organization):
        Response.objects.update(created_at=local(f"{MONDAY} 09:00") - dt.timedelta(days=3))
        Response.objects.filter(pk=old.pk).update(created_at=local(f"{MONDAY} 09:00") - dt.timedelta(days=21))
    return {**tree, **people, "support": support, "warehouse": warehouse}


def send(organization, now):
    from followups.services import digest_send_due

    organization.refresh_from_db()
    with tenant_context(organization):
        return digest_send_due(organization=organization, now=now)


def by_recipient(sink) -> dict[str, str]:
    out = {}
    for message in sink.messages:
        for address in message["To"].addresses:
            out[address.addr_spec] = sink.body(message)
    return out


def test_monday_morning_each_department_gets_its_weeks_feedback_once(feedback, smtp_sink):
    organization = feedback["organization"]

    assert send(organization, local(f"{MONDAY} 09:00")) == 3
    messages = smtp_sink.wait_for(3)
    assert len(messages) == 3
    subjects = sorted(m["Subject"] for m in messages)
    assert subjects == ["North: this week's customer feedback", "Sales: this week's customer feedback",
                        "Support: this week's customer feedback"]
    mail = by_recipient(smtp_sink)
    # Customer-facing, active employees with an address; nobody else.
    assert sorted(mail) == ["erik@shop.dk", "sara@shop.dk", "sune@shop.dk"]

    sales = mail["sara@shop.dk"]  # Sales and the team inside it: 9 (North), 3, 10
    assert "Sales — the last seven days: 3 answers, NPS 33 (2 promoters, 0 passives, 1 detractors)." in sales
    assert "9/10: Erik knew exactly what I needed" in sales and "3/10: Slow delivery" in sales
    assert "Quick help on the phone" not in sales and "Old news from May" not in sales

    north = mail["erik@shop.dk"]
    assert "North — the last seven days: 1 answer, NPS 100" in north
    assert "Erik knew exactly what I needed" in north and "Slow delivery" not in north

    support = mail["sune@shop.dk"]
    assert "Support — the last seven days: 1 answer, NPS 100" in support and "Quick help on the phone" in support

    for body in mail.values():  # employee survey answers never appear
        assert "overtime" not in body and "freezing" not in body
    html_sales = smtp_sink.body(next(m for m in messages if m["Subject"].startswith("Sales")), "html")
    assert "NPS <strong>33</strong>" in html_sales and "Slow delivery" in html_sales

    # Later the same day, and later that week on the same day's rules: nothing more.
    assert send(organization, local(f"{MONDAY} 15:00")) == 0
    assert len(smtp_sink.wait_for(4, timeout=0.5)) == 3


@pytest.mark.parametrize("visibility, named", [
    ("nobody", False), ("managers", False), ("employee_and_managers", False), ("all_members", True)])
def test_employees_are_named_only_when_all_members_may_see_individual_scores(feedback, smtp_sink, visibility,
                                                                             named):
    from organizations.models import Organization

    organization = feedback["organization"]
    Organization.objects.filter(pk=organization.pk).update(employee_visibility=visibility)
    assert send(organization, local(f"{MONDAY} 09:00")) == 3
    smtp_sink.wait_for(3)
    sara = next(m for m in smtp_sink.messages if "sara@shop.dk" in m["To"])
    for kind in ("plain", "html"):
        body = smtp_sink.body(sara, kind)
        assert "Erik knew exactly what I needed" in body
        assert ("Erik Sælger" in body) is named
    if named:
        assert "9/10 (Erik Sælger): Erik knew exactly what I needed" in smtp_sink.body(sara)


@pytest.mark.parametrize("moment", [
    f"{MONDAY} 07:59",  # too early on the day
    "2025-06-10 09:00",  # Tuesday
    "2025-06-13 09:00",  # Friday
    "2025-06-08 09:00",  # Sunday
])
def test_nothing_on_other_days_or_before_eight(feedback, smtp_sink, moment):
    assert send(feedback["organization"], local(moment)) == 0
    assert smtp_sink.wait_for(1, timeout=0.5) == []


def test_the_day_and_hour_are_the_organizations_own(feedback, smtp_sink):
    from organizations.models import Organization

    organization = feedback["organization"]
    # 05:30 UTC on the Monday is 07:30 in Copenhagen (summer time): too early there.
    assert send(organization, dt.datetime(2025, 6, 9, 5, 30, tzinfo=dt.UTC)) == 0
    # A Wednesday digest goes out on Wednesday, not Monday.
    Organization.objects.filter(pk=organization.pk).update(digest_weekday=2)
    assert send(organization, local(f"{MONDAY} 09:00")) == 0
    assert send(organization, local("2025-06-11 08:00")) == 3
    assert len(smtp_sink.wait_for(3)) == 3


def test_an_organization_without_a_digest_day_sends_nothing(feedback, smtp_sink):
    from organizations.models import Organization

    organization = feedback["organization"]
    Organization.objects.filter(pk=organization.pk).update(digest_weekday=None)
    for day in range(9, 14):
        assert send(organization, local(f"2025-06-{day:02d} 09:00")) == 0
    assert smtp_sink.wait_for(1, timeout=0.5) == []
