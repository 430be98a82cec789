from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organizations"

    def ready(self):
        # tasks: registers the tasks that services queue by name; security: the audit log's
        # receivers for sign-ins and second factors
        from . import security, tasks  # noqa: F401
