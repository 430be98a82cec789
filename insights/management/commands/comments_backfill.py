"""Analyses every comment not analysed yet (or analysed under an older taxonomy or engine), per
organization, showing progress; then refreshes the suggested new themes. Safe to run again: an
unchanged analysis is kept. One organization's failure is reported and the others go on."""

from django.core.management.base import BaseCommand, CommandError

from insights.services import comments_analyse, suggestions_refresh
from nps_platform.tenancy import tenant_context
from organizations.models import Organization


class Command(BaseCommand):
    help = "Analyses the comments' sentiment and themes (all organizations, or --org)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="the organization's slug")

    def handle(self, *args, org=None, **options):
        organizations = Organization.objects.filter(is_active=True).order_by("pk")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No active organization {org!r}.")
        failed = 0
        for organization in organizations:
            def progress(done, total, slug=organization.slug):
                self.stdout.write(f"{slug}: {done}/{total}")

            try:
                with tenant_context(organization):
                    n = comments_analyse(organization=organization, progress=progress)
                    suggestions = suggestions_refresh(organization=organization)
            except Exception as error:  # one tenant's failure never stops another's
                failed += 1
                self.stderr.write(f"{organization.slug}: failed ({error.__class__.__name__}: {error})")
                continue
            self.stdout.write(f"{organization.slug}: {n} comments analysed, {suggestions} suggested themes")
        if failed:
            raise CommandError(f"{failed} organization(s) failed; the others are done.")
