"""Settings for the real Celery worker that tests start: the test settings, but with the
database, broker and mail server the test hands over through the environment."""

import environ

from .test import *  # noqa: F403

_env = environ.Env()
DATABASES = {"default": _env.db("DATABASE_URL")}
vars().update(_env.email_url("EMAIL_URL"))
CELERY_TASK_ALWAYS_EAGER = False
# The test's private queue: what the worker queues itself (the outbox consumer's alerts and
# recounts, a task's retry) goes where it consumes.
CELERY_TASK_DEFAULT_QUEUE = _env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The starting test's cache namespace and rollup window (tests/conftest.py), as one deployment's
# web and worker processes share them.
CACHES["default"]["KEY_PREFIX"] = _env.str("CACHE_KEY_PREFIX", default=CACHES["default"].get("KEY_PREFIX", ""))  # noqa: F405
ROLLUP_REFRESH_DELAY = _env.int("ROLLUP_REFRESH_DELAY", default=ROLLUP_REFRESH_DELAY)  # noqa: F405
