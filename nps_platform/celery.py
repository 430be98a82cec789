"""The Celery app. Tasks take ids (always with the organization id) and are enqueued on commit.

An app's `tasks.py` imports its services; services queue tasks by their registered name
(`task_enqueue`, `task_enqueue_on_commit`), so no services module imports its tasks back. Each
app's `AppConfig.ready` imports its tasks module, so in every process the name resolves to the
task itself (run at once in tests, where tasks are eager)."""

import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.local")

app = Celery("nps_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_enqueue(name: str, *, countdown: float | None = None, **kwargs):
    """Queues the task registered as `name` with keyword arguments (ids, never objects)."""
    return app.signature(name, kwargs=kwargs).apply_async(countdown=countdown)


def task_enqueue_on_commit(name: str, *, countdown: float | None = None, **kwargs) -> None:
    """Queues the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_enqueue(name, countdown=countdown, **kwargs))
