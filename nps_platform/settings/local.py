"""Local / demo mode: `make run`. Debug on, embedded defaults for anything not set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"  # noqa: F405

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405

if CELERY_BROKER_URL == "filesystem://":  # noqa: F405
    # The embedded broker: the worker looks for new files this often (kombu's default is 1 s).
    # With late acks it takes one message per look while its processes are busy, so at 1 s a
    # backlog of 60 messages (the demo's first start) held a fresh answer's rollup refresh for a
    # minute (7 s at 0.1 s); at 0.02 s (a listing of one small folder) an answer is on the
    # dashboard within 5 s even then (tests/dashboards/test_fresh_numbers.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "polling_interval": 0.02}  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # SQLite has no NOTIFY: the workers look for new answers in the outbox this often.
    OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=0.25)
