from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        from . import receivers  # noqa: F401 - keeps the rollups current as answers arrive
