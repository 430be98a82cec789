from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Comment insights"

    def ready(self):
        from contacts.services import segment_members_changed

        from . import (
            privacy,  # noqa: F401 - an erased contact's comments leave the suggestions
            receivers,  # noqa: F401 - analyses comments as answers arrive
            tasks,  # noqa: F401 - registers the tasks queued by name
        )
        from .hooks import install
        from .rollups import segment_members_changed as segment_comment_rows_stale

        install()  # the explorer's theme and sentiment filters (dashboards does not import us)
        # a change that may move contacts in or out of segments: their comment rows are rebuilt
        segment_members_changed.connect(segment_comment_rows_stale, dispatch_uid="insights.segment_comment_rollups")
