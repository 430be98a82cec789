"""The embedded mode (`make run` with nothing set: SQLite, the file-system broker, the outbox) in
a fresh process, for the tests that must see it as the demo does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def embedded_env(var_dir: Path) -> dict:
    """The environment of `make run` on embedded defaults, its files under `var_dir`."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="nps_platform.settings.local", VAR_DIR=str(var_dir), DEBUG="false",
               ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    return env


def embedded_demo(var_dir: Path):
    """Migrates and seeds the demo there; returns run(*python args) → its stdout (asserting success)."""
    env = embedded_env(var_dir)

    def run(*args):
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "seed_demo")
    run.env = env
    return run
