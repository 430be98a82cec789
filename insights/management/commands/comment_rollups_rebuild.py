"""Recounts the comment rollups (the sentiment card's and the drivers' figures) from the answers
and their analyses: all organizations, or one by slug. Needed once after the migration that
adds them; safe to run again at any time. One organization's failure is reported and the
others go on."""

from django.core.management.base import BaseCommand, CommandError

from insights.rollups import comment_rollups_rebuild
from nps_platform.tenancy import tenant_context
from organizations.models import Organization


class Command(BaseCommand):
    help = "Recount the comment rollups (sentiment and theme figures) from the analyses."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="the organization's slug; default: all")

    def handle(self, *args, org=None, **options):
        organizations = Organization.objects.order_by("pk")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization {org!r}.")
        failed = 0
        for organization in organizations:
            try:
                with tenant_context(organization):
                    rows = comment_rollups_rebuild(organization=organization)
            except Exception as error:  # one tenant's failure never stops another's
                failed += 1
                self.stderr.write(f"{organization.slug}: failed ({error.__class__.__name__}: {error})")
                continue
            self.stdout.write(f"{organization.slug}: {rows} comment rollup rows")
        if failed:
            raise CommandError(f"{failed} organization(s) failed; the others are done.")
