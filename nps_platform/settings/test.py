"""Tests run against real PostgreSQL and Redis (127.0.0.1 defaults, overridable)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_platform")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# `make test` runs the suite in parallel processes (pytest-xdist: gw0, gw1, …). Each gets a
# database of its own (pytest-django's _gw0 suffix) and a Redis database of its own, the one
# below the configured one per process: the real Celery workers its tests start must not take
# another process's tasks from a shared queue. The processes those tests start inherit the
# adjusted address (and the mark, so it is not moved twice).
if (_xdist := os.environ.get("PYTEST_XDIST_WORKER", "")) and not os.environ.get("NPS_TEST_REDIS_FOR"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    _db = int(_db) if _db.isdigit() else 0
    os.environ["REDIS_URL"] = f"{_base}/{(_db - 1 - int(_xdist.removeprefix('gw'))) % 16}"
    os.environ["NPS_TEST_REDIS_FOR"] = _xdist

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-key-" + "x" * 40
# The pool holds connections across pytest-django's test-database switch; tests go without it.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_OUTBOX_DIR = VAR_DIR / "test-outbox"
MEDIA_ROOT = VAR_DIR / "test-media"
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3
# The suite's sign-ins all come from 127.0.0.1 and its counters live across tests in Redis.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": None}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}-{os.urandom(4).hex()}"  # noqa: F405 - runs share Redis
# Unit and view tests run tasks inline; tests whose behaviour depends on the worker start a
# real one (tests/conftest.py: celery_worker_process), which turns this off.
CELERY_TASK_ALWAYS_EAGER = True
# Inline tasks ignore countdowns, so the rollups are recounted per answer here; the shared
# recount is tested with a real worker (tests/dashboards/test_rollup_coalescing.py).
ROLLUP_REFRESH_DELAY = 0
SEGMENT_ROLLUP_DELAY = 0
CELERY_TASK_EAGER_PROPAGATES = True
