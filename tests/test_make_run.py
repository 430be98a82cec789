"""`PORT=8080 make run`: every process (web, worker, beat) builds emailed links from the same
SITE_URL, the web server's address, even though honcho hands each process its own PORT."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each stand-in process loads the local settings as the real ones do and says what it sees.
PRINT_SITE = ("import os, time, django; django.setup(); from django.conf import settings; "
              "print('seen', os.environ['PORT'], settings.SITE_URL, flush=True); time.sleep(3)")


def serve(tmp_path, **variables) -> dict[str, tuple[str, str]]:
    procfile = tmp_path / "Procfile"
    procfile.write_text("".join(f'{name}: {sys.executable} -c "{PRINT_SITE}"\n' for name in ("web", "worker")))
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    args = [f"{key}={value}" for key, value in variables.items()]
    done = subprocess.run(["make", "--no-print-directory", "serve", f"PROCFILE={procfile}", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    seen = {}
    for line in done.stdout.splitlines():
        match = re.search(r"(\w+)\.\d+\s+\|\s+seen (\d+) (\S+)", line)
        if match:
            seen[match.group(1)] = (match.group(2), match.group(3))
    assert set(seen) == {"web", "worker"}, done.stdout[-3000:] + done.stderr[-3000:]
    return seen


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_another_port_puts_that_port_in_every_link(tmp_path):
    seen = serve(tmp_path, PORT="8080")
    assert seen["web"] == ("8080", "http://127.0.0.1:8080")
    # honcho gives the worker PORT+100; its emails must still point at the web server.
    assert seen["worker"][1] == "http://127.0.0.1:8080"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_an_explicit_site_url_wins(tmp_path):
    seen = serve(tmp_path, PORT="8080", SITE_URL="https://nps.example.com")
    assert {site for _, site in seen.values()} == {"https://nps.example.com"}
