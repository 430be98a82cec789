"""Seeds a demo organization (departments, teams, employees, an admin, surveys, contacts, answers
with their follow-ups, rollups and comment analysis) and prints the login. Safe to run again: it
tops up what is missing and changes nothing else. It sets up every stage, so it lives in its own
app above them all."""

from __future__ import annotations

import datetime as dt
import os
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, ContactImport, Segment, Suppression, Tag
from contacts.services import contacts_import_run, import_start, suppression_add
from dashboards.rollups import rollups_rebuild
from distribution.models import Campaign
from followups.models import Alert, Case, CaseEvent, Webhook
from followups.services import response_follow_up, rules_ensure_defaults
from insights.services import demo_seed
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee, Membership, Organization, Role, User
from organizations.services import api_key_create, organization_create
from responses.models import Response
from responses.services import Submission, response_record_public
from surveys.models import Survey
from surveys.presentation import category_for_score, survey_shown
from surveys.services import (
    review_link_add,
    survey_create,
    survey_public_link_set,
    survey_publish,
    survey_settings_update,
)

DEMO_TREE = {
    "Sales": ["Nordic", "DACH"],
    "Customer Service": ["Phone", "Chat"],
    "Workshop": ["Copenhagen", "Aarhus"],
}
DEMO_PEOPLE = [
    ("Anna Jensen", "Sales / Nordic", "Key account manager"),
    ("Mikkel Sørensen", "Sales / Nordic", "Sales representative"),
    ("Lena Schmidt", "Sales / DACH", "Sales representative"),
    ("Jonas Weber", "Sales / DACH", "Sales lead"),
    ("Sofie Nielsen", "Customer Service / Phone", "Agent"),
    ("Emil Larsen", "Customer Service / Phone", "Agent"),
    ("Ida Karlsson", "Customer Service / Chat", "Agent"),
    ("Oskar Lindqvist", "Customer Service / Chat", "Team lead"),
    ("Freja Hansen", "Workshop / Copenhagen", "Mechanic"),
    ("Lukas Pedersen", "Workshop / Copenhagen", "Service advisor"),
    ("Maja Andersen", "Workshop / Aarhus", "Mechanic"),
    ("Ivan Horvat", "Workshop / Aarhus", "Workshop manager"),
]


class Command(BaseCommand):
    help = "Create (or top up) the demo organization and print its admin login."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--email", default=os.environ.get("DEMO_EMAIL", "admin@demo.example"))
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "demo-nps-2026"))

    def handle(self, *args, **options):
        """The seed does its answers' work itself — follow-ups, rollups, comment analyses, with
        Celery's tasks run inline — so that a first start finds no backlog in the outbox and the
        queue: the demo's 150 answers and their recounts ahead of a fresh answer held it off
        the dashboard for seconds (tests/dashboards/test_fresh_numbers.py)."""
        from nps_platform.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            self._seed(**options)  # one transaction; its answers' work runs as it commits
        finally:
            app.conf.task_always_eager = eager

    @transaction.atomic
    def _seed(self, *, slug: str, email: str, password: str, **options):
        user = User.objects.filter(email=email).first()
        if user is None:
            # the demo's customers answer in Danish (its default language); its admin reads English
            # until they pick another language in the navbar
            user = User.objects.create_user(email=email, password=password, full_name="Demo Admin", language="en")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            organization = organization_create(name="Demo Company A/S", slug=slug, owner=user,
                                               default_language="da", time_zone="Europe/Copenhagen")
        with tenant_context(organization):
            Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": Role.OWNER})
            for top, teams in DEMO_TREE.items():
                parent, _ = Department.objects.get_or_create(organization=organization, name=top, parent=None)
                for team in teams:
                    Department.objects.get_or_create(organization=organization, name=team, parent=parent,
                                                     defaults={"kind": Department.Kind.TEAM})
            for name, path, title in DEMO_PEOPLE:
                top, team = (p.strip() for p in path.split("/"))
                department = Department.objects.get(name=team, parent__name=top)
                email_addr = name.lower().replace(" ", ".").replace("ø", "o") + "@demo.example"
                Employee.objects.get_or_create(
                    organization=organization, email=email_addr,
                    defaults={"name": name, "department": department, "title": title},
                )
            self._seed_surveys(organization, user)
            self._seed_contacts(organization, user)
            self._seed_responses(organization, user)
        self.stdout.write(self.style.SUCCESS(
            f"Demo organization “{organization.name}” is ready at /o/{organization.slug}/\n"
            f"  Log in as {email} with password {password}"
        ))

    def _seed_surveys(self, organization, user):
        if Survey.objects.exists():
            return
        survey = survey_create(organization=organization, template="relationship", name="Customer relationship 2026",
                               default_language="da", by=user)
        survey_settings_update(survey=survey, by=user, name=survey.name, kind=survey.kind, default_language="da",
                               languages=["da", "sv", "en"], company_name="")
        review_link_add(survey=survey, site="google", url="https://g.page/r/demo-company/review",
                        label="Anmeld os på Google", by=user)
        for code, label in (("sv", "Recensera oss på Google"), ("en", "Review us on Google")):
            link = survey.review_links.get()
            link.texts[code] = label
            link.save(update_fields=["texts"])
        survey_publish(survey=survey, by=user)
        survey_public_link_set(survey=survey, enabled=True, ask_department=True, by=user)
        employee = survey_create(organization=organization, template="employee", name="Employee pulse (eNPS)",
                                 default_language="da", by=user)
        survey_publish(survey=employee, by=user)

    def _seed_contacts(self, organization, user):
        if Contact.objects.exists():
            return
        rows = ["email;name;language;department;revenue;customer since;tags"]
        languages = ["da", "da", "sv", "nb", "de", "en", "fi"]
        for i in range(1, 31):
            team = ["Sales / Nordic", "Sales / DACH", "Workshop / Copenhagen"][i % 3]
            tags = "Key accounts" if i % 4 == 0 else ""
            revenue = f"{i * 12_345 % 900_000 + 10_000:_}".replace("_", ".") + ",00"  # Nordic: 1.234,00
            since = f"{i % 28 + 1:02d}-{i % 9 + 1:02d}-{2015 + i % 10}"  # day first: 31-12-2025
            rows.append(f"customer{i:02d}@demo-customers.example;Customer {i:02d};{languages[i % 7]};{team};"
                        f"{revenue};{since};{tags}")
        record, _ = import_start(organization=organization, name="demo-customers.csv",
                                 data="\n".join(rows).encode(), by=user)
        record.mapping = {"email": "email", "name": "name", "language": "language", "department": "department",
                          "revenue": "revenue_12m", "customer since": "customer_since", "tags": "tags"}
        record.status = ContactImport.Status.QUEUED
        record.save()
        contacts_import_run(record=record)
        Contact.objects.update(currency="DKK")
        tag = Tag.objects.get(name="Key accounts")
        Segment.objects.create(organization=organization, name="Danish key accounts",
                               filters={"language": "da", "tag": str(tag.pk)})
        suppression_add(organization=organization, email="customer30@demo-customers.example",
                        reason=Suppression.Reason.UNSUBSCRIBED, by=user)
        Campaign.objects.create(organization=organization, name="Relationship survey, Q1",
                                survey=Survey.objects.get(name="Customer relationship 2026"), created_by=user)

    def _seed_responses(self, organization, user):
        if Response.objects.exists():
            return
        rules_ensure_defaults(organization=organization)
        survey = Survey.objects.get(name="Customer relationship 2026")
        version = survey.current_version
        rng = random.Random(2026)
        comments = {
            "promoter": ["Hurtig levering og venlig betjening.", "Always helpful on the phone.", "Bra service!"],
            "passive": ["Fint nok, men lidt dyrt.", "Leveringen tog lidt tid.", ""],
            "detractor": ["Cyklen var ikke klar til aftalt tid.", "Nobody called me back.", "För lång väntetid.",
                          "Svært at finde parkering ved butikken."],
        }
        teams = list(Department.objects.filter(parent__isnull=False))
        customers = list(Contact.objects.all())
        for _ in range(120):
            score = rng.choice([10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3, 10, 9])
            category = category_for_score(score)
            language = rng.choice(["da", "da", "sv", "en"])
            shown = survey_shown(definition=version.definition, language=language, category=category)
            comment = rng.choice(comments[category])
            answers = {"reason": comment} if comment else {}
            answers["source"] = {"choices": [rng.choice(["recommendation", "recommendation", "search", "ads",
                                                         "social_media", "local_paper"])]}
            response, _ = response_record_public(
                survey=survey, version=version, shown=shown, channel=rng.choice(["link", "qr", "email"]),
                department=rng.choice(teams), submission=Submission(score=score, answers=answers))
            # Spread over the last three months, so the trend has a shape; most answers are from
            # known customers (revenue on file: the economics section).
            Response.objects.filter(pk=response.pk).update(
                created_at=timezone.now() - dt.timedelta(days=rng.randint(0, 88), hours=rng.randint(0, 23)),
                contact=rng.choice(customers) if rng.random() < 0.8 else None)
            response.refresh_from_db()
            response_follow_up(response=response)
        self._settle_follow_ups(rng)
        employee_survey = Survey.objects.get(name="Employee pulse (eNPS)")
        for team in teams:
            for _ in range(rng.randint(3, 8)):  # some teams stay under the anonymity threshold
                score = rng.choice([10, 9, 9, 8, 8, 7, 6, 4])
                shown = survey_shown(definition=employee_survey.current_version.definition, language="da",
                                     category=category_for_score(score))
                response_record_public(survey=employee_survey, version=employee_survey.current_version,
                                       shown=shown, channel="email", department=team,
                                       submission=Submission(score=score, answers={}))
        rollups_rebuild(organization=organization)
        demo_seed(organization=organization)  # the comments' sentiment and themes
        api_key_create(organization=organization, name="Demo CRM (read)", scope="read", by=user)
        Webhook.objects.create(organization=organization, url="https://crm.demo-company.example/hooks/nps",
                               secret="demo-secret-not-for-production", events=["response.detractor"],
                               is_active=False)

    def _settle_follow_ups(self, rng):
        """The demo's answers are history: their alerts count as sent and their cases as handled
        (all but the last few days', left open for the inbox), so the first start mails nobody
        about answers from weeks ago (the answers' own tasks, the sweep and the tick would)."""
        now = timezone.now()
        Alert.objects.filter(status=Alert.Status.PENDING).update(status=Alert.Status.SENT, sent_at=now)
        reasons = [Case.Reason.FIXED, Case.Reason.EXPLAINED, Case.Reason.COMPENSATED, Case.Reason.THANKED]
        for case in Case.objects.select_related("response", "rule"):
            answered = case.response.created_at
            hours = case.rule.sla_hours if case.rule else 48
            case.created_at = answered
            case.due_at = answered + dt.timedelta(hours=hours)
            if answered < now - dt.timedelta(days=3):
                case.status, case.reason = Case.Status.CLOSED, rng.choice(reasons)
                case.first_action_at = answered + dt.timedelta(hours=rng.randint(1, 20))
                case.closed_at = case.first_action_at + dt.timedelta(hours=rng.randint(1, 30))
                CaseEvent.objects.create(organization_id=case.organization_id, case=case, kind=CaseEvent.Kind.STATUS,
                                         text="Closed (demo history).")
            else:  # open and in time: neither reminded nor escalated on the first start
                case.due_at = max(case.due_at, now + dt.timedelta(hours=hours))
                case.reminded_at = now
            case.save(update_fields=["created_at", "due_at", "status", "reason", "first_action_at", "closed_at",
                                     "reminded_at"])
