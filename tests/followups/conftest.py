"""Fixtures for the closed loop: a shop with a published survey, answers recorded the way the
respondent pages record them (public link or personal link), departments with managers and
employees, and small HTTP receivers for webhooks and chat posts."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from nps_platform.tenancy import tenant_context
from tests.distribution.conftest import campaign_for, path_of, published_survey  # noqa: F401

SITE = django_settings.SITE_URL.rstrip("/")  # the address in links that mails carry


@pytest.fixture
def shop(make_org, published_survey):  # noqa: F811
    """(organization, owner, survey): Cykelmageren with a published English relationship survey."""
    organization, owner = make_org("Cykelmageren ApS")
    survey = published_survey(organization, owner, languages=("en",), name="Relationship")
    return organization, owner, survey


@pytest.fixture
def tree(shop, add_member):
    """Departments Sales > North (a team inside Sales); employee Erik in North; the people:
    a manager of North, a manager of Sales, an admin and a viewer, all members of the shop."""
    from organizations.models import Department, Employee, Membership

    organization, owner, survey = shop
    with tenant_context(organization):
        sales = Department.objects.create(organization=organization, name="Sales")
        north = Department.objects.create(organization=organization, name="North", parent=sales,
                                          kind=Department.Kind.TEAM)
        erik = Employee.objects.create(organization=organization, name="Erik Sælger", email="erik@shop.dk",
                                       department=north)
    people = {
        "north_manager": add_member(organization, "manager", email="nora.north@shop.dk"),
        "sales_manager": add_member(organization, "manager", email="sam.sales@shop.dk"),
        "admin": add_member(organization, "admin", email="ada.admin@shop.dk"),
        "viewer": add_member(organization, "viewer", email="vic.viewer@shop.dk"),
    }
    with tenant_context(organization):
        Membership.objects.get(user=people["north_manager"]).departments.set([north])
        Membership.objects.get(user=people["sales_manager"]).departments.set([sales])
    return {"organization": organization, "owner": owner, "survey": survey, "sales": sales, "north": north,
            "erik": erik, **people}


def _shown(survey, score):
    from surveys.presentation import category_for_score, survey_shown

    version = survey.current_version
    return version, survey_shown(definition=version.definition, language=version.definition["default_language"],
                                 category=category_for_score(score))


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """answer(org, survey, score, comment, employee=, department=, previous=) → the Response, recorded
    through the public link's service, with everything after commit (the follow-up) run."""
    from responses.models import Channel
    from responses.services import Submission, response_record_public

    def give(organization, survey, score, comment="", *, employee=None, department=None, previous=None):
        with tenant_context(organization):
            survey.refresh_from_db()
            version, shown = _shown(survey, score)
            answers = {"reason": comment} if comment else {}
            with django_capture_on_commit_callbacks(execute=True):
                response, _ = response_record_public(
                    survey=survey, version=version, shown=shown, channel=Channel.LINK,
                    submission=Submission(score=score, answers=answers), department=department,
                    employee=employee, previous=previous)
            response.refresh_from_db()
        return response

    return give


@pytest.fixture
def invite(campaign_for):  # noqa: F811
    """invite(org, owner, survey, contact_or_employee) → a personal invitation (not emailed) and its path."""
    from django.utils import timezone

    from distribution.emails import invitation_link
    from distribution.services import invitation_for as _invitation_for

    campaigns = {}

    def make(organization, owner, survey, person):
        if survey.pk not in campaigns:
            campaigns[survey.pk] = campaign_for(organization, owner, survey, start=False)
        campaign = campaigns[survey.pk]
        with tenant_context(organization):
            survey.refresh_from_db()
            invitation = _invitation_for(campaign, person, survey.current_version.definition, timezone.now())
            invitation.save()
        return invitation, path_of(invitation_link(invitation))

    return make


@pytest.fixture
def answer_personal(django_capture_on_commit_callbacks):
    """answer_personal(invitation, score, comment) → the Response, as the personal link records it."""
    from responses.services import Submission, response_record

    def give(invitation, score, comment=""):
        organization = invitation.organization
        with tenant_context(organization):
            survey = invitation.survey
            survey.refresh_from_db()
            version, shown = _shown(survey, score)
            with django_capture_on_commit_callbacks(execute=True):
                response, _ = response_record(invitation=invitation, version=version, shown=shown,
                                              submission=Submission(score=score,
                                                                    answers={"reason": comment} if comment else {}))
            response.refresh_from_db()
        return response

    return give


def in_org(organization, fn):
    with tenant_context(organization):
        return fn()


def cases_of(organization, **filters):
    from followups.models import Case

    with tenant_context(organization):
        return list(Case.objects.filter(**filters).select_related("owner", "department", "rule", "response"))


def alerts_of(organization, **filters):
    from followups.models import Alert

    with tenant_context(organization):
        return list(Alert.objects.filter(**filters).select_related("rule").order_by("pk"))


def events_of(organization, case):
    from followups.models import CaseEvent

    with tenant_context(organization):
        return list(CaseEvent.objects.filter(case=case).order_by("created_at", "pk"))


def rule_make(organization, **fields):
    from followups.models import Rule

    defaults = {"name": "Detractors", "category": "detractor", "notify_email": True, "open_case": True,
                "sla_hours": 48}
    defaults.update(fields)
    with tenant_context(organization):
        return Rule.objects.create(organization=organization, **defaults)


def default_rules(organization):
    from followups.services import rules_ensure_defaults

    with tenant_context(organization):
        rules_ensure_defaults(organization=organization)


# --- A local HTTP receiver ----------------------------------------------------------------------

class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every POST (headers and raw body) and answers
    with `status` (changeable while it runs)."""

    def __init__(self, status=200):
        self.requests: list[dict] = []
        self.status = status
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                              "body": body})
                    status = receiver.status
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def json(self, index=-1) -> dict:
        return json.loads(self.requests[index]["body"])

    def events(self) -> list[str]:
        return [r["headers"].get("X-NPS-Event") for r in self.requests]


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def local(moment: str, tz: str = "Europe/Copenhagen") -> dt.datetime:
    """An aware datetime from "2025-03-07 15:00" in a time zone."""
    import zoneinfo

    return dt.datetime.fromisoformat(moment).replace(tzinfo=zoneinfo.ZoneInfo(tz))
