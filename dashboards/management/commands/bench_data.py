"""Benchmark data, fast: an organization with N responses written by PostgreSQL's COPY, and its
rollups built by one INSERT … SELECT … GROUP BY per key kind (the same rows `rollups_rebuild`
makes, a test holds them equal). PostgreSQL only."""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from nps_platform.tenancy import tenant_context
from organizations.models import Department, Organization

from ._bench import bench_organization, bench_survey


class Command(BaseCommand):
    help = "Create (or replace) a benchmark organization with N responses."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--responses", type=int, required=True)
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, slug, responses, days, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmark data needs PostgreSQL (DATABASE_URL).")
        started = time.monotonic()
        organization = self._organization(slug)
        with tenant_context(organization):
            survey, version, departments = self._survey(organization)
            self._copy_responses(organization, survey, version, departments, responses, days)
            self._rollups(organization, survey)
        self.stdout.write(f"{slug}: {responses} responses in {time.monotonic() - started:.1f} s")

    def _organization(self, slug: str) -> Organization:
        return bench_organization(slug, clear=("dashboards_rollup", "followups_alert", "followups_caseevent",
                                               "followups_case", "responses_responsechange", "responses_response"))

    def _survey(self, organization):
        survey = bench_survey(organization)
        departments = list(Department.objects.all())
        if not departments:
            with transaction.atomic():
                for top in ("Sales", "Service", "Workshop", "Online"):
                    parent = Department.objects.create(organization=organization, name=top)
                    for team in range(5):
                        Department.objects.create(organization=organization, name=f"{top} team {team + 1}",
                                                  parent=parent)
            departments = list(Department.objects.all())
        return survey, survey.current_version, departments

    def _copy_responses(self, organization, survey, version, departments, count, days):
        rng = random.Random(count)
        now = dt.datetime.now(dt.UTC)
        weights = [2, 1, 1, 2, 2, 3, 4, 8, 12, 25, 40]  # a realistic lean towards 9–10
        channels, languages = ["email", "link", "qr"], ["da", "da", "sv", "en", "de"]
        comments = ["", "", "Hurtig service", "Lang ventetid", "Venligt personale", "For dyrt"]
        columns = ("organization_id", "survey_id", "version_id", "department_id", "channel", "language", "score",
                   "category", "answers", "comment", "created_at", "updated_at")
        batch = 200_000
        with connection.cursor() as cursor:
            raw = cursor.connection
            for start in range(0, count, batch):
                buffer = io.StringIO()
                for _ in range(min(batch, count - start)):
                    score = rng.choices(range(11), weights)[0]
                    category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    at = now - dt.timedelta(seconds=rng.randint(0, days * 86400))
                    comment = rng.choice(comments)
                    buffer.write(f"{organization.pk}\t{survey.pk}\t{version.pk}\t{rng.choice(departments).pk}\t"
                                 f"{rng.choice(channels)}\t{rng.choice(languages)}\t{score}\t{category}\t"
                                 f'{{}}\t{comment}\t{at.isoformat()}\t{at.isoformat()}\n')
                buffer.seek(0)
                with raw.cursor() as pg, pg.copy(f"COPY responses_response ({', '.join(columns)}) FROM STDIN") as copy:
                    while chunk := buffer.read(1 << 20):
                        copy.write(chunk)

    def _rollups(self, organization, survey):
        tz = organization.time_zone
        counts = ", ".join(f"count(*) FILTER (WHERE score = {i})" for i in range(11))
        keys = {
            "'all'": None,
            "'department:' || department_id": "department_id IS NOT NULL",
            "'channel:' || channel": None,
            "'language:' || language": None,
        }
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM dashboards_rollup WHERE organization_id = %s AND survey_id = %s",
                           [organization.pk, survey.pk])
            for key, condition in keys.items():
                where = f"AND {condition}" if condition else ""
                cursor.execute(f"""
                    INSERT INTO dashboards_rollup (organization_id, survey_id, day, key,
                        c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, comments)
                    SELECT organization_id, survey_id, (created_at AT TIME ZONE %s)::date, {key}, {counts},
                           count(*) FILTER (WHERE comment <> '')
                    FROM responses_response WHERE organization_id = %s AND survey_id = %s {where}
                    GROUP BY 1, 2, 3, 4""", [tz, organization.pk, survey.pk])  # noqa: S608
