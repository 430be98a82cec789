from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Distribution"

    def ready(self):
        from . import (
            receivers,  # noqa: F401 - connects the bounce/complaint webhook signals
            tasks,  # noqa: F401 - registers the tasks that services queue by name
        )
