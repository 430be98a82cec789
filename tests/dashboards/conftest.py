"""Fixtures for the dashboard tests: an organization with customer and employee surveys, a
department tree (departments with teams), employees, contacts, and a known data set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import add_responses, local, rebuild

# The period the known data set is in, and the period before it (as long, right before).
START, END = dt.date(2025, 3, 3), dt.date(2025, 3, 16)
PREV_START, PREV_END = dt.date(2025, 2, 17), dt.date(2025, 3, 2)
PERIOD = f"from={START}&to={END}"


@dataclass
class World:
    organization: object
    owner: object
    relationship: object = None
    workshop: object = None
    pulse: object = None
    departments: dict = field(default_factory=dict)
    employees: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    current: list = field(default_factory=list)  # the specs of the current period's cNPS answers
    previous: list = field(default_factory=list)  # the period before's
    outside: list = field(default_factory=list)  # two answers just outside both periods
    enps: list = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.organization.slug

    def url(self, name: str = "", query: str = PERIOD) -> str:
        return f"/o/{self.slug}/dashboard/{name}?{query}"


def _org_structure(organization):
    from contacts.models import Contact
    from organizations.models import Department, Employee

    with tenant_context(organization):
        sales = Department.objects.create(organization=organization, name="Sales")
        north = Department.objects.create(organization=organization, name="Sales North", parent=sales,
                                          kind=Department.Kind.TEAM)
        south = Department.objects.create(organization=organization, name="Sales South", parent=sales,
                                          kind=Department.Kind.TEAM)
        support = Department.objects.create(organization=organization, name="Support")
        cph = Department.objects.create(organization=organization, name="Support Copenhagen", parent=support,
                                        kind=Department.Kind.TEAM)
        emma = Employee.objects.create(organization=organization, name="Emma Sælger", email="emma@x.dk",
                                       department=north)
        oscar = Employee.objects.create(organization=organization, name="Oscar Service", email="oscar@x.dk",
                                        department=cph)
        karen = Contact.objects.create(organization=organization, email="karen@kunde.dk", name="Karen Kunde",
                                       language="da", region="Nord", product="Cargo bike")
        sven = Contact.objects.create(organization=organization, email="sven@kund.se", name="Sven Kund",
                                      language="sv", region="Syd", product="City bike")
    departments = {"sales": sales, "north": north, "south": south, "support": support, "cph": cph}
    return departments, {"emma": emma, "oscar": oscar}, {"karen": karen, "sven": sven}


CURRENT_SCORES = [10] * 40 + [9] * 30 + [8] * 12 + [7] * 8 + [6] * 4 + [3] * 4 + [0] * 2  # 70/20/10 → 60
PREVIOUS_SCORES = [10] * 30 + [9] * 25 + [8] * 20 + [7] * 10 + [5] * 10 + [1] * 5  # 55/30/15 → 40


def current_specs(world: World) -> list[dict]:
    """100 cNPS answers in the period, spread over surveys, channels, languages, departments,
    employees, contacts and sources by simple rules the tests recount."""
    d, e, c = world.departments, world.employees, world.contacts
    specs = []
    for i, score in enumerate(CURRENT_SCORES):
        survey = world.workshop if i % 4 == 3 else world.relationship
        spec = {
            "survey": survey, "score": score,
            "at": local(START + dt.timedelta(days=i % 14), hour=(i * 5) % 24, minute=(i * 7) % 60),
            "channel": ("email", "link", "qr")[i % 3],
            "language": "sv" if i % 10 == 9 else "en" if i % 10 >= 6 else "da",
            "department": [d["north"], d["south"], d["sales"], d["support"], d["cph"], None][i % 6],
            "employee": e["emma"] if i % 7 == 0 else e["oscar"] if i % 7 == 1 else None,
            "contact": c["karen"] if i % 11 == 0 else c["sven"] if i % 11 == 1 else None,
            "source": (("", "recommendation", "recommendation", "search", "__other__")[i % 5]
                       if survey is world.relationship else ""),
            "comment": f"Comment {i}: {'great bikes' if score >= 9 else 'slow repair'}" if i % 3 == 0 else "",
        }
        specs.append(spec)
    return specs


def enps_specs(world: World) -> list[dict]:
    """Employee answers: Sales North 6 (da), Sales South 2 (en), Support 3 (sv). With the threshold
    at 5, North is shown and South and Support merge into one group of 5 (by department and by
    language alike); at 6 that merged group is hidden too."""
    d = world.departments
    specs = []
    for i, score in enumerate([10, 9, 9, 8, 6, 3]):
        specs.append({"score": score, "department": d["north"], "at": local(START + dt.timedelta(days=i)),
                      "comment": f"north pulse {i}", "language": "da"})
    for i, score in enumerate([2, 10]):
        specs.append({"score": score, "department": d["south"], "at": local(START + dt.timedelta(days=i)),
                      "comment": f"south pulse {i}", "language": "en"})
    for i, score in enumerate([9, 9, 7]):
        specs.append({"score": score, "department": d["support"], "at": local(START + dt.timedelta(days=i)),
                      "comment": "", "language": "sv"})
    return specs


def published(organization, owner, *, name, template="relationship", languages=("en", "da", "sv")):
    """A published survey (what tests/distribution's published_survey fixture does, callable
    outside a test's scope)."""
    from surveys import services

    with tenant_context(organization):
        survey = services.survey_create(organization=organization, template=template, name=name,
                                        default_language=languages[0], by=owner)
        services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                        default_language=languages[0], languages=list(languages),
                                        company_name="Cykelmageren")
        services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
    return survey


def build_world(name: str = "Cykelmageren ApS") -> World:
    """The organization and the known data set, rollups rebuilt: current period 70/20/10 (NPS 60,
    n 100) in two cNPS surveys, the period before 55/30/15 (NPS 40), eNPS answers in three
    departments, and 2 cNPS answers just outside both periods."""
    import time

    from organizations.models import User
    from organizations.services import organization_create

    owner = User.objects.create_user(email=f"owner-{time.time_ns()}@example.com", password="pass-Word-123",
                                     full_name="Olga Owner")
    organization = organization_create(name=name, owner=owner)
    w = World(organization, owner)
    w.relationship = published(organization, owner, name="Relationship")
    w.workshop = published(organization, owner, template="transactional", name="Workshop visit")
    w.pulse = published(organization, owner, template="employee", name="Employee pulse", languages=("da", "en"))
    w.departments, w.employees, w.contacts = _org_structure(organization)
    w.current = current_specs(w)
    for survey in (w.relationship, w.workshop):
        add_responses(w.organization, survey, [s for s in w.current if s["survey"] is survey])
    w.previous = [{"score": s, "at": local(PREV_START + dt.timedelta(days=i % 14), hour=9), "channel": "email"}
                  for i, s in enumerate(PREVIOUS_SCORES)]
    w.outside = [{"score": 0, "at": local(END + dt.timedelta(days=1), hour=0, minute=5)},
                 {"score": 0, "at": local(PREV_START - dt.timedelta(days=1), hour=23, minute=55)}]
    add_responses(w.organization, w.relationship, w.previous + w.outside)
    w.enps = enps_specs(w)
    add_responses(w.organization, w.pulse, w.enps)
    rebuild(w.organization)
    return w


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The known data set, committed once per test module (each test then runs in its own
    transaction, rolled back); the database is flushed when the module is done."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        world = build_world()
    yield world
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(shared_world, db):
    """shared_world, its objects reloaded (a test may have changed them in its transaction)."""
    w = shared_world
    for obj in [w.organization, w.owner, *w.departments.values(), *w.employees.values(), *w.contacts.values()]:
        obj.refresh_from_db()
    return w


@pytest.fixture
def login(member_client):
    return member_client


@pytest.fixture
def member(add_member):
    """member(world, role, departments=(), employee=None) → a user with that role (a manager
    leads `departments`); `employee` links an Employee record to the user."""
    counter = {"n": 0}

    def make(world, role, departments=(), employee=None):
        from organizations.models import Membership

        counter["n"] += 1
        user = add_member(world.organization, role, email=f"{role}{counter['n']}-{world.slug}@example.com")
        with tenant_context(world.organization):
            membership = Membership.objects.get(user=user)
            membership.departments.set(departments)
            if employee is not None:
                employee.user = user
                employee.save(update_fields=["user"])
        return user

    return make


def set_org(world, **fields):
    for name, value in fields.items():
        setattr(world.organization, name, value)
    world.organization.save(update_fields=list(fields))
