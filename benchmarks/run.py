"""`make bench`: measures the product on this machine against its real stack and prints a
table; the figures go to var/bench/<time>.json. Every goal is a ratio of two figures from the
same run (machines here are noisy). Traffic stays on 127.0.0.1.

Measured so far: the dashboard at 2 000 000 against 20 000 responses, and against a naive
raw-SQL aggregation. The others (submissions vs pgbench, dispatch vs smtplib, alert p95, worker
memory) are listed with "not measured yet"."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

SMALL, LARGE = 20_000, int(os.environ.get("BENCH_LARGE", "2000000"))


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603 - our own command


def timed(fn, repeats: int = 5) -> dict:
    fn()  # warm: first query plans, template loading
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(samples), 4), "samples_s": [round(s, 4) for s in samples]}


def dashboard_figures() -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from organizations.models import Organization, User

    def page(slug):
        organization = Organization.objects.get(slug=slug)
        client = Client()
        client.force_login(User.objects.get(email=f"bench@{slug}.example"),
                           backend="django.contrib.auth.backends.ModelBackend")

        def get():
            response = client.get(f"/o/{slug}/dashboard/?from=2000-01-01")
            assert response.status_code == 200, response.status_code
        return organization, get

    _small_org, small = page("bench-small")
    large_org, large = page("bench-large")

    def naive():
        """What a dashboard without rollups would run: the same aggregations over raw rows."""
        with connection.cursor() as cursor:
            org = large_org.pk
            for sql in (
                "SELECT score, count(*) FROM responses_response WHERE organization_id = %s GROUP BY score",
                "SELECT date_trunc('week', created_at), score >= 9, score <= 6, count(*) FROM responses_response "
                "WHERE organization_id = %s GROUP BY 1, 2, 3",
                "SELECT department_id, score >= 9, score <= 6, count(*) FROM responses_response "
                "WHERE organization_id = %s GROUP BY 1, 2, 3",
                "SELECT channel, score >= 9, score <= 6, count(*) FROM responses_response "
                "WHERE organization_id = %s GROUP BY 1, 2, 3",
                "SELECT language, score >= 9, score <= 6, count(*) FROM responses_response "
                "WHERE organization_id = %s GROUP BY 1, 2, 3",
            ):
                cursor.execute(sql, [org])
                cursor.fetchall()

    small_t, large_t, naive_t = timed(small), timed(large), timed(naive, repeats=3)
    return {
        "dashboard_scale_ratio": {
            "value": round(large_t["median_s"] / small_t["median_s"], 2), "goal": "<= 2",
            "small": {"responses": SMALL, **small_t}, "large": {"responses": LARGE, **large_t}},
        "dashboard_naive_ratio": {
            "value": round(large_t["median_s"] / naive_t["median_s"], 3), "goal": "<= 0.1",
            "dashboard": large_t, "naive_sql": naive_t},
    }


def main() -> int:
    manage("migrate", "--noinput", "-v0")
    manage("bench_data", "--slug", "bench-small", "--responses", str(SMALL))
    manage("bench_data", "--slug", "bench-large", "--responses", str(LARGE))
    figures = dashboard_figures()
    for name in ("submission_ratio", "dispatch_ratio", "alert_p95_s", "worker_peak_mb"):
        figures[name] = {"value": None, "note": "not measured yet"}
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2))
    print(f"\n{'measure':<24}{'value':>10}  goal")
    for name, data in figures.items():
        value = "—" if data["value"] is None else data["value"]
        print(f"{name:<24}{value!s:>10}  {data.get('goal', data.get('note', ''))}")
    print(f"\nfigures: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
