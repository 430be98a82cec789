"""The organization the surface walk (tests/test_surface_walk.py) looks at: every role has data
it must not see, each piece carrying a marker string that appears nowhere else. Built through
the services, the way the respondent pages and the closed loop build it, with everything that
runs after commit (follow-up, alerts, webhooks, rollups) run in place."""

from __future__ import annotations

import datetime as dt
import json
import threading
import zoneinfo
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from nps_platform.tenancy import tenant_context

PASSWORD = "pass-Word-123"

# No marker is a part of another (the walk looks for each one, case-insensitively).
M = {
    "OTHER": "MRK-OTHER-ORG",
    "ENPS_TINY": "MRK-ENPS-TINY-4b1e",
    "ENPS_BIG": "MRK-ENPS-BIG-9c2d",
    "COMMENT_A": "MRK-COMMENT-A-5d7e",
    "COMMENT_B": "MRK-COMMENT-B-8f3a",
    "CONTACT_A_NAME": "MRK-CONTACT-A-NAME-1a2b",
    "CONTACT_A_MAIL": "mrk-contact-a-mail-3c4d",
    "CONTACT_B_NAME": "MRK-CONTACT-B-NAME-5e6f",
    "CONTACT_B_MAIL": "mrk-contact-b-mail-7a8b",
    "CONTACT_NORESP_NAME": "MRK-CONTACT-NORESP-NAME-9c0d",
    "CONTACT_NORESP_MAIL": "mrk-contact-noresp-mail-1e2f",
    "CASE_A": "MRK-CASE-A-3a4b",
    "CASE_B": "MRK-CASE-B-5c6d",
    "CASE_B_ASSIGNED": "MRK-CASE-ASSIGNED-B-7e8f",
}
for _name, _marker in M.items():
    assert not any(_marker.lower() in other.lower() for n, other in M.items() if n != _name), _name

ROLES = ("owner", "admin", "manager", "viewer", "employee")


class Receiver:
    """An HTTP listener on 127.0.0.1 keeping every POST body (the webhook payloads)."""

    def __init__(self):
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "event": self.headers.get("X-NPS-Event", ""),
                                              "body": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Seed:
    organization: object
    other: object
    users: dict  # role → User
    api_key: str  # a read key of the organization
    departments: dict  # "A", "TEAM_A", "B", "TINY" → Department
    surveys: dict  # "cnps", "enps" → Survey
    enps_response_ids: set
    forbidden_ids: dict  # role → {model label: {pk, …}} that role must not get as an object
    webhooks: list = field(default_factory=list)  # the bodies POSTed to the main organization's hook
    emails: list = field(default_factory=list)  # every EmailMessage sent while seeding, digests and reports
    employee_departments: dict = field(default_factory=dict)  # employee email → department id
    member_roles: dict = field(default_factory=dict)  # member email → role
    comment_departments: dict = field(default_factory=dict)  # comment marker → department id


def _user(email, name):
    from organizations.models import User

    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


def _shown(survey, score):
    from surveys.presentation import category_for_score, survey_shown

    version = survey.current_version
    return version, survey_shown(definition=version.definition, language=version.definition["default_language"],
                                 category=category_for_score(score))


def _survey(organization, owner, *, template, name):
    from surveys import services

    survey = services.survey_create(organization=organization, template=template, name=name,
                                    default_language="en", by=owner)
    services.survey_settings_update(survey=survey, by=owner, name=name, kind=survey.kind, default_language="en",
                                    languages=["en"], company_name="Walkers")
    services.survey_publish(survey=survey, by=owner)
    survey.refresh_from_db()
    return survey


def _public(survey, score, comment="", *, department=None):
    from responses.models import Channel
    from responses.services import Submission, response_record_public

    version, shown = _shown(survey, score)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response, _ = response_record_public(
            survey=survey, version=version, shown=shown, channel=Channel.LINK, department=department,
            submission=Submission(score=score, answers={"reason": comment} if comment else {}))
    response.refresh_from_db()
    return response


def _personal(campaign, contact, score, comment=""):
    from distribution.services import invitation_for as _invitation_for
    from responses.services import Submission, response_record

    survey = campaign.survey
    invitation = _invitation_for(campaign, contact, survey.current_version.definition, timezone.now())
    invitation.save()
    version, shown = _shown(survey, score)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response, _ = response_record(invitation=invitation, version=version, shown=shown,
                                      submission=Submission(score=score,
                                                            answers={"reason": comment} if comment else {}))
    response.refresh_from_db()
    return response


def _note(response, by, note, owner=None):
    from followups.models import Case
    from followups.services import case_update

    case = Case.objects.get(response=response)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return case_update(case=case, by=by, note=note, owner=owner)


def _other_organization():
    """Everything in it carries MRK-OTHER-ORG."""
    from contacts.models import Contact
    from distribution.models import Campaign
    from organizations.models import Department, Employee
    from organizations.services import organization_create

    tag = M["OTHER"]
    owner = _user("owner@mrk-other-org.example", f"{tag} Owner")
    other = organization_create(name=f"{tag} Company", slug="walk-other", owner=owner)
    with tenant_context(other):
        from followups.services import rules_ensure_defaults

        rules_ensure_defaults(organization=other)
        department = Department.objects.create(organization=other, name=f"{tag} Department")
        Employee.objects.create(organization=other, name=f"{tag} Employee", email="employee@mrk-other-org.example",
                                department=department)
        contact = Contact.objects.create(organization=other, email="contact@mrk-other-org.example",
                                         name=f"{tag} Contact", department=department)
        survey = _survey(other, owner, template="relationship", name=f"{tag} Survey")
        enps = _survey(other, owner, template="employee", name=f"{tag} Pulse")
        campaign = Campaign.objects.create(organization=other, name=f"{tag} Campaign", survey=survey,
                                           created_by=owner)
        detractor = _personal(campaign, contact, 2, f"{tag} comment")
        _note(detractor, owner, f"{tag} case note")
        _public(survey, 9, f"{tag} promoter", department=department)
        for _ in range(6):
            _public(enps, 8, f"{tag} employee comment", department=department)
        _segment(other, owner, f"{tag} Segment", {})
    return other


def _segment(organization, owner, name, filters):
    """A saved segment, its rollups built as the worker would after the save."""
    from contacts.services import segment_save

    with TestCase.captureOnCommitCallbacks(execute=True):
        return segment_save(organization=organization, name=name, filters=filters, by=owner)


def seed(receiver: Receiver) -> Seed:
    from contacts.models import Contact
    from dashboards.reports import reports_send_due, subscription_set
    from distribution.models import Campaign
    from followups.models import Case
    from followups.services import digest_send_due, rules_ensure_defaults, webhook_create
    from organizations.models import Department, Employee, EmployeeVisibility, Membership, Organization
    from organizations.services import api_key_create, organization_create

    mail.outbox = []
    other = _other_organization()

    owner = _user("olivia.owner@walk.example", "Olivia Owner")
    organization = organization_create(name="Surface Walkers A/S", slug="surface-walk", owner=owner)
    Organization.objects.filter(pk=organization.pk).update(
        anonymity_threshold=5, employee_visibility=EmployeeVisibility.EMPLOYEE_AND_MANAGERS)
    organization.refresh_from_db()
    users = {"owner": owner}
    with tenant_context(organization):
        for role, email, name, member_role in (
                ("admin", "adam.admin@walk.example", "Adam Admin", "admin"),
                ("manager", "mia.manager@walk.example", "Mia Manager", "manager"),
                ("viewer", "victor.viewer@walk.example", "Victor Viewer", "viewer"),
                ("employee", "ella.employee@walk.example", "Ella Employee", "viewer")):
            users[role] = _user(email, name)
            Membership.objects.create(organization=organization, user=users[role], role=member_role)

        sales = Department.objects.create(organization=organization, name="Sales")
        nordics = Department.objects.create(organization=organization, name="Sales Nordics", parent=sales,
                                            kind=Department.Kind.TEAM)
        support = Department.objects.create(organization=organization, name="Support")
        tiny = Department.objects.create(organization=organization, name="Tiny Team", kind=Department.Kind.TEAM)
        Membership.objects.get(user=users["manager"]).departments.set([sales])
        employees = [
            Employee.objects.create(organization=organization, name="Ella Employee", email=users["employee"].email,
                                    department=sales, user=users["employee"], title="Account manager"),
            Employee.objects.create(organization=organization, name="Sven Seller", email="sven.seller@walk.example",
                                    department=nordics, title="Sales representative"),
            Employee.objects.create(organization=organization, name="Siri Supporter",
                                    email="siri.supporter@walk.example", department=support, title="Agent"),
            Employee.objects.create(organization=organization, name="Tove Tiny", email="tove.tiny@walk.example",
                                    department=tiny, title="Engineer", is_customer_facing=False),
        ]

        hook = webhook_create(organization=organization, url=receiver.url + "/main",
                              events=["response.created", "response.detractor", "case.updated"], by=owner)
        rules_ensure_defaults(organization=organization)
        cnps = _survey(organization, owner, template="relationship", name="Customer pulse")
        enps = _survey(organization, owner, template="employee", name="Employee pulse")
        campaign = Campaign.objects.create(organization=organization, name="Customer pulse, spring",
                                           survey=cnps, created_by=owner)

        contact_a = Contact.objects.create(organization=organization, name=M["CONTACT_A_NAME"],
                                           email=f"{M['CONTACT_A_MAIL']}@customers.example", department=sales,
                                           employee=employees[0])
        contact_b = Contact.objects.create(organization=organization, name=M["CONTACT_B_NAME"],
                                           email=f"{M['CONTACT_B_MAIL']}@customers.example", department=support,
                                           employee=employees[2])
        # In Sales, but never answered: a manager of Sales meets them on no case and no answer.
        noresp = Contact.objects.create(organization=organization, name=M["CONTACT_NORESP_NAME"],
                                        email=f"{M['CONTACT_NORESP_MAIL']}@customers.example", department=sales)

        # Customers: A (Sales), the team inside A, and B (Support).
        r_a = _personal(campaign, contact_a, 3, M["COMMENT_A"])
        _public(cnps, 9, "Quick and friendly.", department=sales)
        _public(cnps, 10, "", department=sales)
        _public(cnps, 8, "The Nordic team was fine.", department=nordics)
        _public(cnps, 9, "", department=nordics)
        r_b = _personal(campaign, contact_b, 2, M["COMMENT_B"])
        r_b_assigned = _public(cnps, 4, "Waited on the phone.", department=support)
        _public(cnps, 10, "", department=support)

        _note(r_a, users["manager"], M["CASE_A"])
        _note(r_b, owner, M["CASE_B"])
        _note(r_b_assigned, owner, M["CASE_B_ASSIGNED"], owner=users["manager"])

        # Employees: two in a tiny team (under the threshold), five in Sales (at it).
        enps_ids = set()
        for score in (9, 3):
            enps_ids.add(_public(enps, score, M["ENPS_TINY"], department=tiny).pk)
        for score in (10, 9, 8, 6, 9):
            enps_ids.add(_public(enps, score, M["ENPS_BIG"], department=sales).pk)

        # Saved segments: every customer, and Support's customers (their rollups built), and one
        # saved before segment rollups existed (no rollups: its dashboard reads the answers)
        from contacts.models import Segment

        _segment(organization, owner, "Every customer", {})
        _segment(organization, owner, "Support's customers", {"department": str(support.pk)})
        Segment.objects.create(organization=organization, name="Customers of Sales",
                               filters={"department": str(sales.pk)})

        case_b, case_assigned = (Case.objects.get(response=r) for r in (r_b, r_b_assigned))
        assert case_assigned.owner_id == users["manager"].pk

        # Every comment analysed and about one theme too, so that the insight pages (drivers, why,
        # the explorer's badges), the digest's and the reports' top themes show them.
        from insights.models import CommentAnalysis, CommentTheme, Theme
        from insights.rollups import comment_rollups_rebuild
        from insights.services import comments_analyse

        comments_analyse(organization=organization)
        CommentTheme.objects.bulk_create([CommentTheme(organization=organization, analysis=a,
                                                       theme=Theme.objects.get(key="delivery"), rank=9)
                                          for a in CommentAnalysis.objects.all()], ignore_conflicts=True)
        comment_rollups_rebuild(organization=organization)  # the links above were written as rows

        # The weekly digest (on its day, from 08:00) and everyone's weekly report (Mondays).
        tz = zoneinfo.ZoneInfo(organization.time_zone)
        local = timezone.now().astimezone(tz)
        digest_now = local if local.hour >= 8 else local.replace(hour=8, minute=0, second=0, microsecond=0)
        Organization.objects.filter(pk=organization.pk).update(digest_weekday=digest_now.weekday())
        organization.refresh_from_db()
        digest_send_due(organization=organization, now=digest_now)
        for user in users.values():
            subscription_set(organization=organization, user=user, every="week", query="")
        monday = (local + dt.timedelta(days=7 - local.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
        reports_send_due(organization=organization, now=monday)

        raw_key, _ = api_key_create(organization=organization, name="Walk CRM (read)", scope="read", by=owner)
        assert hook.pk

    case_label, contact_label, response_label = "followups.case", "contacts.contact", "responses.response"
    no_contacts = {contact_a.pk, contact_b.pk, noresp.pk}
    forbidden_ids = {
        "owner": {response_label: enps_ids},
        "admin": {response_label: enps_ids},
        "manager": {response_label: enps_ids | {r_b.pk}, case_label: {case_b.pk},
                    contact_label: {contact_b.pk, noresp.pk}},
        "viewer": {response_label: enps_ids, contact_label: no_contacts},
        "employee": {response_label: enps_ids, contact_label: no_contacts},
    }
    with tenant_context(organization):
        employee_departments = dict(Employee.objects.values_list("email", "department_id"))
        member_roles = {m.user.email: ("employee" if m.user_id == users["employee"].pk else m.role)
                        for m in Membership.objects.select_related("user")}
    return Seed(
        organization=organization, other=other, users=users, api_key=raw_key,
        departments={"A": sales, "TEAM_A": nordics, "B": support, "TINY": tiny},
        surveys={"cnps": cnps, "enps": enps}, enps_response_ids=enps_ids, forbidden_ids=forbidden_ids,
        webhooks=[r for r in receiver.requests if r["path"] == "/main"], emails=list(mail.outbox),
        employee_departments=employee_departments, member_roles=member_roles,
        comment_departments={M["COMMENT_A"]: sales.pk, M["COMMENT_B"]: support.pk},
    )


def payload_json(body: str):
    try:
        return json.loads(body)
    except ValueError:
        return None
