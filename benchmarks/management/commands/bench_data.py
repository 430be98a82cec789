"""Benchmark data, fast: an organization with N responses written by PostgreSQL's COPY, and its
rollups built by one INSERT … SELECT … GROUP BY GROUPING SETS per key kind — organization-wide
and per department, the same rows `rollups_rebuild` makes (tests/dashboards/test_bench_data.py
holds them equal to a recount). PostgreSQL only.

Besides the answers: N/20 contacts (five regions, four products) behind 80 % of them (the rest
came by the public link), a source answer on 60 %, a manager of one top-level department and
its five teams (manager@<slug>.example), and the segment "Region Nord", whose rollups are built
by the product's own `dashboards.segment_rollups.segment_rollups_build` (what the worker runs when
a segment is saved), so the segment's dashboard is measured on the path it takes in production;
its comment rollups likewise by `insights.rollups.segment_comment_rollups_build`.

Comment analyses for 65 % of the commented answers (a sentiment that follows the score — with
one in ten against it —, the comment's theme and for three in ten "quality" beside it), written
by INSERT … SELECT, and the comment rollups built from them in SQL as `insights.rollups` makes
them (tests/insights/test_comment_rollups.py holds them equal to a recount)."""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from contacts.models import Segment
from dashboards.rollups import source_question_keys
from dashboards.segment_rollups import segment_rollups_build
from insights.models import Theme
from insights.rollups import segment_comment_rollups_build
from insights.services import taxonomy_ensure
from nps_platform.nps_math import category_for_score
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Membership, Organization, Role, User

from ._bench import bench_organization, bench_survey

REGIONS = ["Nord", "Syd", "Øst", "Vest", "Midt"]
PRODUCTS = ["Cargo", "City", "Trekking", "Racer"]
SEGMENT = "Region Nord"
ANALYSED = 65  # per cent of the commented answers that have an analysis
# the benchmark's comments and the starter theme each is about
COMMENT_THEMES = {"Hurtig service": "staff", "Lang ventetid": "delivery", "Venligt personale": "staff",
                  "For dyrt": "price"}


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
            self._people(organization, slug, departments)
            contacts = self._copy_contacts(organization, max(100, responses // 20))
            self._copy_responses(organization, survey, version, departments, contacts, responses, days)
            self._rollups(organization, survey)
            self._analyses(organization, survey)
            self._comment_rollups(organization)
        with connection.cursor() as cursor:  # fresh statistics and visibility map, as a live table has
            for table in ("responses_response", "contacts_contact", "dashboards_rollup", "insights_commentanalysis",
                          "insights_commenttheme", "insights_sentimentrollup", "insights_themerollup"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        with tenant_context(organization):  # on analysed tables, as the worker's build would run
            for segment_id in Segment.objects.values_list("pk", flat=True):
                segment_rollups_build(organization=organization, segment_id=segment_id, force=True)
                segment_comment_rollups_build(organization=organization, segment_id=segment_id, force=True)
        with connection.cursor() as cursor:
            for table in ("dashboards_segmentrollup", "insights_segmentsentimentrollup", "insights_segmentthemerollup"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write(f"{slug}: {responses} responses in {time.monotonic() - started:.1f} s")

    def _organization(self, slug: str) -> Organization:
        return bench_organization(slug, clear=("dashboards_rollup", "insights_themerollup", "insights_sentimentrollup",
                                               "insights_commenttheme", "insights_commentanalysis",
                                               "followups_alert", "followups_caseevent", "followups_case",
                                               "responses_responsechange", "responses_response",
                                               "dashboards_segmentrollup", "dashboards_segmentrollupstate",
                                               "insights_segmentsentimentrollup", "insights_segmentthemerollup",
                                               "insights_segmentcommentrollupstate",
                                               "contacts_contact", "contacts_segment"))

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

    def _people(self, organization, slug, departments):
        """The manager of "Sales" (and its teams), and the segment of one region's contacts."""
        user = User.objects.filter(email=f"manager@{slug}.example").first() or User.objects.create_user(
            email=f"manager@{slug}.example", password=None)
        membership, _ = Membership.objects.get_or_create(organization=organization, user=user,
                                                         defaults={"role": Role.MANAGER})
        membership.departments.set([d for d in departments if d.name == "Sales"])
        Segment.objects.create(organization=organization, name=SEGMENT, filters={"region": "Nord"})

    def _copy_contacts(self, organization, count) -> list[int]:
        rng = random.Random(count)
        now = dt.datetime.now(dt.UTC).isoformat()
        buffer = io.StringIO()
        for i in range(count):
            buffer.write(f"{organization.pk}\tbench{i}@{organization.slug}.example\tKunde {i}\tda\t"
                         f"{rng.choice(REGIONS)}\t{rng.choice(PRODUCTS)}\t\t{{}}\t{now}\t{now}\n")
        buffer.seek(0)
        columns = ("organization_id, email, name, language, region, product, currency, attributes, created_at, "
                   "updated_at")
        with connection.cursor() as cursor:
            with cursor.connection.cursor() as pg, pg.copy(f"COPY contacts_contact ({columns}) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("SELECT id FROM contacts_contact WHERE organization_id = %s", [organization.pk])
            return [row[0] for row in cursor.fetchall()]

    def _copy_responses(self, organization, survey, version, departments, contacts, count, days):
        rng = random.Random(count)
        now = dt.datetime.now(dt.UTC)
        weights = [2, 1, 1, 2, 2, 3, 4, 8, 12, 25, 40]  # a realistic lean towards 9–10
        channels, languages = ["email", "link", "qr"], ["da", "da", "sv", "en", "de"]
        comments = ["", "", "Hurtig service", "Lang ventetid", "Venligt personale", "For dyrt"]
        source = (source_question_keys(version.definition) or [None])[0]
        choices = [c["key"] for q in version.definition["questions"] if q["key"] == source
                   for c in q.get("choices", [])] + ["__other__"]
        columns = ("organization_id", "survey_id", "version_id", "department_id", "contact_id", "channel",
                   "language", "score", "category", "answers", "comment", "anonymous_key", "created_at",
                   "updated_at")
        batch = 200_000
        with connection.cursor() as cursor:
            raw = cursor.connection
            for start in range(0, count, batch):
                buffer = io.StringIO()
                for _ in range(min(batch, count - start)):
                    score = rng.choices(range(11), weights)[0]
                    category = category_for_score(score)
                    at = now - dt.timedelta(seconds=rng.randint(0, days * 86400))
                    comment = rng.choice(comments)
                    contact = rng.choice(contacts) if rng.random() < 0.8 else r"\N"
                    answers = (f'{{"{source}": {{"choices": ["{rng.choice(choices)}"]}}}}'
                               if source and rng.random() < 0.6 else "{}")
                    buffer.write(f"{organization.pk}\t{survey.pk}\t{version.pk}\t{rng.choice(departments).pk}\t"
                                 f"{contact}\t{rng.choice(channels)}\t{rng.choice(languages)}\t{score}\t"
                                 f"{category}\t{answers}\t{comment}\t\t{at.isoformat()}\t{at.isoformat()}\n")
                buffer.seek(0)
                with raw.cursor() as pg, pg.copy(f"COPY responses_response ({', '.join(columns)}) FROM STDIN") as copy:
                    while chunk := buffer.read(1 << 20):
                        copy.write(chunk)

    def _rollups(self, organization, survey):
        """Per key kind, one INSERT … SELECT … GROUP BY GROUPING SETS: the organization-wide row
        (department NULL) and each department's own row, as `dashboards.rollups` writes them."""
        tz = organization.time_zone
        counts = ", ".join(f"count(*) FILTER (WHERE score = {i})" for i in range(11))
        contact = "JOIN contacts_contact c ON c.id = r.contact_id"
        kinds = [  # (key expression, joined, condition)
            ("'all'", "", ""),
            ("'channel:' || r.channel", "", ""),
            ("'language:' || r.language", "", ""),
            ("'employee:' || r.employee_id", "", "AND r.employee_id IS NOT NULL"),
            ("'region:' || left(c.region, 100)", contact, "AND c.region <> ''"),
            ("'product:' || left(c.product, 100)", contact, "AND c.product <> ''"),
        ]
        sources = set()
        for (definition,) in survey.versions.values_list("definition"):
            sources.update(source_question_keys(definition))
        for key in sorted(sources):  # each chosen key of each source question, as the Python recount
            lateral = (f", LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(r.answers -> '{key}' -> "
                       f"'choices') = 'array' THEN r.answers -> '{key}' -> 'choices' ELSE '[]'::jsonb END) AS choice")
            kinds.append(("'source:' || CASE WHEN choice = '__other__' THEN 'other' ELSE choice END", lateral, ""))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM dashboards_rollup WHERE organization_id = %s AND survey_id = %s",
                           [organization.pk, survey.pk])
            for key, joined, condition in kinds:
                cursor.execute(f"""
                    INSERT INTO dashboards_rollup (organization_id, survey_id, day, department_id, key,
                        c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, comments)
                    SELECT organization_id, survey_id, day, department_id, key, {counts},
                           count(*) FILTER (WHERE has_comment)
                    FROM (SELECT r.organization_id, r.survey_id, (r.created_at AT TIME ZONE %s)::date AS day,
                                 r.department_id, left({key}, 120) AS key, r.score,
                                 btrim(r.comment, E' \\t\\n\\r\\f\\v') <> '' AS has_comment
                          FROM responses_response r {joined}
                          WHERE r.organization_id = %s AND r.survey_id = %s {condition}) AS answers
                    GROUP BY GROUPING SETS ((organization_id, survey_id, day, key),
                                            (organization_id, survey_id, day, key, department_id))
                    HAVING GROUPING(department_id) = 1 OR department_id IS NOT NULL""",  # noqa: S608
                               [tz, organization.pk, survey.pk])

    def _analyses(self, organization, survey):
        """65 % of the commented answers analysed (chosen by a hash of the id, so a run is
        reproducible): promoters positive, passives neutral, detractors negative, one in ten
        the next sentiment instead; the comment's theme, and "quality" beside it for three in ten."""
        taxonomy_ensure(organization=organization)
        themes = dict(Theme.objects.values_list("key", "pk"))
        text_theme = " ".join(f"WHEN '{text}' THEN {themes[key]}" for text, key in COMMENT_THEMES.items())
        draw = "abs(hashtext(r.id::text || '{}')) %% 100"
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO insights_commentanalysis (organization_id, response_id, sentiment, confidence, engine,
                                                      fingerprint, analysed_at)
                SELECT r.organization_id, r.id,
                       CASE WHEN {draw.format('s')} < 10
                            THEN CASE r.category WHEN 'promoter' THEN 'neutral' WHEN 'passive' THEN 'positive'
                                 ELSE 'neutral' END
                            ELSE CASE r.category WHEN 'promoter' THEN 'positive' WHEN 'passive' THEN 'neutral'
                                 ELSE 'negative' END END,
                       0.5 + ({draw.format('c')}) / 200.0, 'bench', 'bench', now()
                FROM responses_response r
                WHERE r.organization_id = %s AND r.survey_id = %s AND r.comment <> ''
                  AND {draw.format('a')} < %s""", [organization.pk, survey.pk, ANALYSED])  # noqa: S608
            cursor.execute(f"""
                INSERT INTO insights_commenttheme (organization_id, analysis_id, theme_id, rank)
                SELECT a.organization_id, a.id, CASE r.comment {text_theme} END, 0
                FROM insights_commentanalysis a JOIN responses_response r ON r.id = a.response_id
                WHERE a.organization_id = %s AND r.comment = ANY(%s)
                UNION ALL
                SELECT a.organization_id, a.id, %s, 1
                FROM insights_commentanalysis a JOIN responses_response r ON r.id = a.response_id
                WHERE a.organization_id = %s AND {draw.format('t')} < 30""",  # noqa: S608
                           [organization.pk, list(COMMENT_THEMES), themes["quality"], organization.pk])

    def _comment_rollups(self, organization):
        """`insights.rollups`' rows in two INSERT … SELECT … GROUP BY GROUPING SETS: commented
        answers by category and sentiment ("" without an analysis), and theme mentions by
        category, each organization-wide (department NULL) and per department."""
        tz = organization.time_zone
        scopes = """GROUP BY GROUPING SETS ((organization_id, survey_id, day, {keys}),
                                            (organization_id, survey_id, day, {keys}, department_id))
                    HAVING GROUPING(department_id) = 1 OR department_id IS NOT NULL"""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM insights_sentimentrollup WHERE organization_id = %s", [organization.pk])
            cursor.execute("DELETE FROM insights_themerollup WHERE organization_id = %s", [organization.pk])
            cursor.execute(f"""
                INSERT INTO insights_sentimentrollup (organization_id, survey_id, day, department_id, category,
                                                      sentiment, n)
                SELECT organization_id, survey_id, day, department_id, category, sentiment, count(*)
                FROM (SELECT r.organization_id, r.survey_id, (r.created_at AT TIME ZONE %s)::date AS day,
                             r.department_id, r.category, coalesce(a.sentiment, '') AS sentiment
                      FROM responses_response r
                      LEFT JOIN insights_commentanalysis a ON a.response_id = r.id
                      WHERE r.organization_id = %s AND r.comment <> '') AS comments
                {scopes.format(keys="category, sentiment")}""", [tz, organization.pk])  # noqa: S608
            cursor.execute(f"""
                INSERT INTO insights_themerollup (organization_id, survey_id, day, department_id, theme_id,
                                                  category, n)
                SELECT organization_id, survey_id, day, department_id, theme_id, category, count(*)
                FROM (SELECT r.organization_id, r.survey_id, (r.created_at AT TIME ZONE %s)::date AS day,
                             r.department_id, t.theme_id, r.category
                      FROM insights_commenttheme t
                      JOIN insights_commentanalysis a ON a.id = t.analysis_id
                      JOIN responses_response r ON r.id = a.response_id
                      WHERE t.organization_id = %s AND r.comment <> '') AS mentions
                {scopes.format(keys="theme_id, category")}""", [tz, organization.pk])  # noqa: S608
