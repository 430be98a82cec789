"""Benchmark data for dispatch: an organization with N contacts (written by PostgreSQL's COPY)
and a one-off campaign to all of them, started the way the product starts one — the next
`distribution.tick` runs it, creates the N invitations and hands their sends to the workers.
Idempotent: the organization's campaigns, invitations, sends, contacts and suppressions are
deleted first. PostgreSQL only."""

from __future__ import annotations

import io
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from distribution.models import Campaign
from distribution.services import campaign_start
from nps_platform.tenancy import tenant_context
from organizations.models import User

from ._bench import bench_organization, bench_survey

LANGUAGES = ["da", "da", "sv", "en", ""]  # the benchmark survey is Danish: the others fall back to it


class Command(BaseCommand):
    help = "Create (or replace) a benchmark organization with N contacts and a started campaign to them."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--contacts", type=int, required=True)
        parser.add_argument("--no-start", action="store_true", help="Leave the campaign a draft.")

    def handle(self, *args, slug, contacts, no_start, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmark data needs PostgreSQL (DATABASE_URL).")
        started = time.monotonic()
        organization = bench_organization(slug, clear=(
            "responses_responsechange", "responses_response", "distribution_emailsend", "distribution_invitation",
            "distribution_campaign", "contacts_suppression", "contacts_contact"))
        with tenant_context(organization):
            survey = bench_survey(organization)
            self._copy_contacts(organization, slug, contacts)
            owner = User.objects.filter(memberships__organization=organization).first()
            campaign = Campaign.objects.create(
                organization=organization, name="Benchmark dispatch", survey=survey,
                audience=Campaign.Audience.ALL_CONTACTS, schedule=Campaign.Schedule.ONCE, created_by=owner)
            if not no_start:
                campaign_start(campaign=campaign, by=owner)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contacts_contact")
        self.stdout.write(f"{slug}: {contacts} contacts, campaign {campaign.pk} "
                          f"({'draft' if no_start else 'started'}) in {time.monotonic() - started:.1f} s")

    def _copy_contacts(self, organization, slug, count):
        now = timezone.now().isoformat()
        columns = ("organization_id", "email", "name", "language", "region", "product", "currency", "attributes",
                   "created_at", "updated_at")
        buffer = io.StringIO()
        for i in range(count):
            buffer.write(f"{organization.pk}\tperson{i}@{slug}.example\tPerson {i} Benchmark\t"
                         f"{LANGUAGES[i % len(LANGUAGES)]}\t\t\t\t{{}}\t{now}\t{now}\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            raw = cursor.connection
            with raw.cursor() as pg, pg.copy(f"COPY contacts_contact ({', '.join(columns)}) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
