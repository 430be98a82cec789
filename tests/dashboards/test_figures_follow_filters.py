"""The closed-loop figures and the response funnel count the same answers as the headline: its
survey, department and period, and the reader's departments — so a share never passes 100 %,
and a survey nobody followed up shows no follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.conftest import END, PERIOD, START
from tests.dashboards.helpers import by_id, local, text

pytestmark = pytest.mark.django_db


def _follow_up(world, responses):
    """A followed-up case for each of these answers (as the closed loop would open them)."""
    from followups.models import Case

    with tenant_context(world.organization):
        for r in responses:
            Case.objects.create(organization=world.organization, response=r, category=r.category,
                                department=r.department, due_at=r.created_at + dt.timedelta(hours=48),
                                first_action_at=r.created_at + dt.timedelta(hours=2))


def _detractors(world, **where):
    from responses.models import Response

    with tenant_context(world.organization):
        return list(Response.objects.filter(category="detractor", created_at__gte=local(START, 0),
                                            created_at__lt=local(END + dt.timedelta(days=1), 0), **where)
                    .select_related("department"))


def followed(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return text(by_id(response.content.decode(), "kpi-followed"))


def test_follow_up_share_is_of_the_filtered_answers(world, login):
    relationship = _detractors(world, survey=world.relationship)
    workshop = _detractors(world, survey=world.workshop)
    assert relationship and workshop
    _follow_up(world, relationship)  # every relationship detractor followed up, no workshop one
    client = login(world.owner)
    everyone = len(relationship) + len(workshop)
    share = round(100 * len(relationship) / everyone)
    assert followed(client, world.url(query=PERIOD)) == f"{share} % ({len(relationship)}/{everyone})"
    assert followed(client, world.url(query=f"{PERIOD}&survey={world.relationship.pk}")) == (
        f"100 % ({len(relationship)}/{len(relationship)})")
    assert followed(client, world.url(query=f"{PERIOD}&survey={world.workshop.pk}")) == f"0 % (0/{len(workshop)})"


def test_a_managers_follow_up_share_counts_their_departments_only(world, login, member):
    support = world.departments["support"]
    everything = _detractors(world)
    _follow_up(world, everything)  # every detractor of the organization followed up
    theirs = [r for r in everything if r.department_id in {support.pk, world.departments["cph"].pk}]
    assert theirs and len(theirs) < len(everything)
    manager = member(world, "manager", departments=[support])
    assert followed(login(manager), world.url(query=PERIOD)) == f"100 % ({len(theirs)}/{len(theirs)})"


def test_the_funnel_counts_the_filtered_departments_invitations(world, login, member):
    from contacts.models import Contact
    from distribution.models import Campaign, Invitation

    org, north = world.organization, world.departments["north"]
    with tenant_context(org):
        campaign = Campaign.objects.create(organization=org, name="Q1", survey=world.relationship)
        northerners = [Contact.objects.create(organization=org, email=f"n{i}@x.dk", department=north)
                       for i in range(3)]
        for i in range(12):
            Invitation.objects.create(
                organization=org, campaign=campaign, survey=world.relationship, email=f"p{i}@x.dk",
                contact=northerners[i] if i < 3 else None, language="da", token_nonce=f"n{i}", token_hash=f"h{i}",
                status="sent", scheduled_for=local(START, 8), sent_at=local(START, 8),
                opened_at=local(START, 9) if i < 5 else None, responded_at=local(START, 10) if i < 2 else None,
                expires_at=local(END) + dt.timedelta(days=30))
    client = login(world.owner)
    assert text(by_id(client.get(world.url(query=PERIOD)).content.decode(), "funnel")) == (
        "12 sent → 5 opened → 2 responded (17 %)")
    filtered = client.get(world.url(query=f"{PERIOD}&department={north.pk}")).content.decode()
    assert text(by_id(filtered, "funnel")) == "3 sent → 3 opened → 2 responded (67 %)"
    manager = member(world, "manager", departments=[world.departments["support"]])
    theirs = login(manager).get(world.url(query=PERIOD)).content.decode()
    assert text(by_id(theirs, "funnel")) == "0 sent → 0 opened → 0 responded"
