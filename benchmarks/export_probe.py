"""One export, measured in a process of its own: `export_probe.py <slug> csv|xlsx` downloads the
organization's export of all time as its owner through Django's test client, reading the body
as it streams, and prints one JSON line: seconds, bytes, rows (CSV), and this process's RSS
after Django's start and at its peak (ru_maxrss), in MB."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(slug: str, fmt: str) -> None:
    import django

    django.setup()
    from django.test import Client

    from organizations.models import User

    client = Client()
    client.force_login(User.objects.get(email=f"bench@{slug}.example"),
                       backend="django.contrib.auth.backends.ModelBackend")
    client.get(f"/o/{slug}/dashboard/?from=2000-01-01&to=2000-01-02")  # imports and templates loaded
    before = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/o/{slug}/dashboard/export.{fmt}?from=2000-01-01")
    assert response.status_code == 200, response.status_code
    size = rows = 0
    first_byte = None
    for chunk in (response.streaming_content if response.streaming else [response.content]):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        if fmt == "csv":
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps({"format": fmt, "seconds": round(seconds, 1), "first_byte_s": round(first_byte or 0, 2),
                      "bytes": size, "rows": rows - 1 if fmt == "csv" else None, "streamed": response.streaming,
                      "rss_before_mb": before, "peak_rss_mb": peak, "growth_mb": round(peak - before, 1)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
