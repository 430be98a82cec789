"""Settings for the real Celery worker that tests start: the test settings, but with the
database, broker and mail server the test hands over through the environment."""

import environ

from .test import *  # noqa: F403

_env = environ.Env()
DATABASES = {"default": _env.db("DATABASE_URL")}
vars().update(_env.email_url("EMAIL_URL"))
CELERY_TASK_ALWAYS_EAGER = False
