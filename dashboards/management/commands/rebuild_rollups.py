"""Rebuilds every rollup from the raw answers (all organizations, or one by slug), and every saved
segment's rollups (PostgreSQL)."""

from django.core.management.base import BaseCommand

from contacts.models import Segment
from dashboards.rollups import rollups_rebuild
from dashboards.segment_rollups import segment_rollups_build
from nps_platform.tenancy import tenant_context
from organizations.models import Organization


class Command(BaseCommand):
    help = "Recount the dashboard rollups from the raw responses."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="an organization's slug; default: all")

    def handle(self, *args, organization=None, **options):
        organizations = Organization.objects.all()
        if organization:
            organizations = organizations.filter(slug=organization)
        for org in organizations:
            with tenant_context(org):
                rows = rollups_rebuild(organization=org)
                for segment_id in Segment.objects.order_by("pk").values_list("pk", flat=True):
                    rows += segment_rollups_build(organization=org, segment_id=segment_id, force=True) or 0
            self.stdout.write(f"{org.slug}: {rows} rollup rows")
