"""Local / demo mode: `make run`. Debug on, embedded defaults for anything not set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"  # noqa: F405

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
