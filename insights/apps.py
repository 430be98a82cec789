from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Comment insights"

    def ready(self):
        from . import (
            privacy,  # noqa: F401 - an erased contact's comments leave the suggestions
            receivers,  # noqa: F401 - analyses comments as answers arrive
            tasks,  # noqa: F401 - registers the tasks queued by name
        )
        from .hooks import install

        install()  # the explorer's theme and sentiment filters (dashboards does not import us)
