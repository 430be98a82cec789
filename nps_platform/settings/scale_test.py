"""Settings for the web, worker and beat processes that tests/scale/ start "as on different
hosts": the production-like base (a database pool, a replica when DATABASE_REPLICA_URL is set, the
broker from CELERY_BROKER_URL, the shared Redis cache), with the mail server, the cache prefix
and a fast beat handed over through the environment. Nothing here is shared but what the
environment names: no files, no memory."""

import environ

from .base import *  # noqa: F403
from .base import CELERY_BEAT_SCHEDULE, DATABASES

_env = environ.Env()
DEBUG = False
SECRET_KEY = "scale-test-only-key-" + "x" * 40
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
vars().update(_env.email_url("EMAIL_URL"))
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# One prefix for every process of a stack: the rate limits are counted across them.
CACHES["default"]["KEY_PREFIX"] = _env.str("CACHE_KEY_PREFIX")  # noqa: F405
MEDIA_ROOT = _env.path("MEDIA_ROOT")
DATABASES["default"].get("OPTIONS", {}).get("pool", {}).update(min_size=1, max_size=4)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
ROLLUP_REFRESH_DELAY = 0
# Beat ticks every two seconds instead of every minute (the tests' leases are seconds long, too);
# faster, the ticks queue up behind the sends on a busy machine.
_EVERY = {"distribution-tick": 2.0, "followups-tick": 5.0}
CELERY_BEAT_SCHEDULE = {name: {**entry, "schedule": _EVERY[name]} for name, entry in CELERY_BEAT_SCHEDULE.items()
                        if name in _EVERY}
