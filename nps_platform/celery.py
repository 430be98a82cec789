"""The Celery app. Tasks take ids (always with the organization id) and are enqueued on commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.local")

app = Celery("nps_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
