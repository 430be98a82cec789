from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Closed loop"

    def ready(self):
        from . import (
            receivers,  # noqa: F401 - listens for saved responses
            tasks,  # noqa: F401 - registers the tasks that services queue by name
        )
