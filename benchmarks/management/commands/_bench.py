"""Shared by the benchmark data commands (bench_data, bench_dispatch_data): the benchmark's own
organization, emptied of the tables a command rewrites, and its published survey. Not a
command (the leading underscore keeps Django from listing it)."""

from __future__ import annotations

from django.db import connection

from organizations.models import Organization, User
from organizations.services import organization_create
from surveys.models import Survey
from surveys.services import survey_create, survey_publish


def bench_organization(slug: str, *, clear: tuple[str, ...]) -> Organization:
    """The organization `slug` (created with its owner bench@<slug>.example when new); when it
    exists, the rows of each table in `clear` that belong to it are deleted, in that order."""
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        with connection.cursor() as cursor:  # start clean: the benchmark owns this organization
            for table in clear:
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [existing.pk])  # noqa: S608
        return existing
    owner = User.objects.filter(email=f"bench@{slug}.example").first() or User.objects.create_user(
        email=f"bench@{slug}.example", password=None)
    return organization_create(name=f"Benchmark {slug}", slug=slug, owner=owner)


def bench_survey(organization: Organization):
    """The organization's published "Benchmark survey" (relationship template, Danish), made
    on first use. Call inside tenant_context(organization)."""
    survey = Survey.objects.filter(name="Benchmark survey").first()
    if survey is None:
        owner = User.objects.filter(memberships__organization=organization).first()
        survey = survey_create(organization=organization, template="relationship", name="Benchmark survey",
                               default_language="da", by=owner)
        survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
    return survey
