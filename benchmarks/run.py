"""`make bench`: measures the product on this machine against its real stack and prints a
table; the figures go to var/bench/<time>.json. Every goal is a ratio of two figures from the
same run (machines here are noisy). Traffic stays on 127.0.0.1.

Measured: the dashboard at 2 000 000 against 20 000 responses and against a naive raw-SQL
aggregation, and at 2 000 000 for every reader and filter (department, manager, segment, viewer,
survey, period and combinations) against the admin's at 20 000, with its sentiment card, and the
comment drivers page likewise (`insights_drivers_ratio`); the comment explorer and the
responses list at 2 000 000; CSV and XLSX exports of 2 000 000 answers with their peak memory
(benchmarks/export_probe.py, a process of its own); the detractor alert's p95; public-link
submissions through the web server (granian) against pgbench INSERTs; 100 000 invitations
dispatched by the workers against a bare smtplib loop, and the worker's peak memory meanwhile
(benchmarks/dispatch.py); comment analysis per 100 000 comments and its peak memory
(benchmarks/comments.py). See docs/performance.md.

A subset while iterating: `benchmarks/run.py --only dashboard,lists --skip-data` (or
BENCH_ONLY=dashboard BENCH_SKIP_DATA=1 make bench); parts: data, dashboard, lists, exports,
alert, submissions, dispatch, comments."""

from __future__ import annotations

import argparse
import json
import logging
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
LOOP_MESSAGES = 20_000  # the smtplib loop's rate is steady from 5 000 messages on; 20 000 saves ~90 s

from benchmarks.dispatch import dispatch_figures  # noqa: E402 - after the environment above


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603 - our own command


def timed_against(base_fn, fn, repeats: int = 7) -> dict:
    """`fn` timed in turns with `base_fn` (the admin's page at 20 000), each sample of one beside
    one of the other, so a load that comes and goes on a shared machine weighs on both alike: the
    ratio is of the two medians of the same turns."""
    base_fn()
    fn()
    base, samples = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        base_fn()
        base.append(time.perf_counter() - started)
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    median, base_median = statistics.median(samples), statistics.median(base)
    return {"median_s": round(median, 4), "samples_s": [round(s, 4) for s in samples],
            "base_median_s": round(base_median, 4), "ratio": round(median / base_median, 2)}


def timed(fn, repeats: int = 5) -> dict:
    fn()  # warm: first query plans, template loading
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(samples), 4), "samples_s": [round(s, 4) for s in samples]}


def _clients():
    """A logged-in test client per (slug, role): the owner (admin), the manager of "Sales" and
    a viewer, the users `bench_data` makes (the viewer made here when missing)."""
    from django.test import Client

    from nps_platform.tenancy import tenant_context
    from organizations.models import Membership, Organization, Role, User

    clients = {}
    for slug in ("bench-small", "bench-large"):
        organization = Organization.objects.get(slug=slug)
        viewer = User.objects.filter(email=f"viewer@{slug}.example").first() or User.objects.create_user(
            email=f"viewer@{slug}.example", password=None)
        with tenant_context(organization):
            Membership.objects.get_or_create(organization=organization, user=viewer,
                                             defaults={"role": Role.VIEWER})
        for role, email in (("admin", f"bench@{slug}.example"), ("manager", f"manager@{slug}.example"),
                            ("viewer", f"viewer@{slug}.example")):
            client = Client()
            client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
            clients[(slug, role)] = client
    return clients


def _getter(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return get


def _views(slug: str) -> dict[str, tuple[str, str]]:
    """The dashboard views measured at scale: name → (role, query)."""
    from contacts.models import Segment
    from nps_platform.tenancy import tenant_context
    from organizations.models import Department, Organization
    from surveys.models import Survey

    with tenant_context(Organization.objects.get(slug=slug)):
        sales = Department.objects.get(name="Sales").pk
        team = Department.objects.get(name="Sales team 1").pk
        segment = Segment.objects.get(name="Region Nord").pk
        survey = Survey.objects.get(name="Benchmark survey").pk
    every = "from=2000-01-01"
    return {
        "admin": ("admin", every),
        "department": ("admin", f"{every}&department={sales}"),
        "manager": ("manager", every),
        "segment": ("admin", f"{every}&segment={segment}"),
        "viewer": ("viewer", every),
        "survey": ("admin", f"{every}&survey={survey}"),
        "last_90_days": ("admin", ""),
        "by_month": ("admin", f"{every}&every=month"),
        "employees_kind": ("admin", f"{every}&kind=enps"),
        "team_department": ("admin", f"{every}&department={team}"),
        "department_segment": ("admin", f"{every}&department={sales}&segment={segment}"),
        "manager_team": ("manager", f"{every}&department={team}"),
        "manager_segment": ("manager", f"{every}&segment={segment}"),
        "manager_survey_90_days": ("manager", f"survey={survey}"),
        "segment_90_days": ("admin", f"segment={segment}"),
    }


def dashboard_figures() -> dict:
    import django

    django.setup()
    from django.db import connection

    from organizations.models import Organization

    clients = _clients()
    large_org = Organization.objects.get(slug="bench-large")
    small = _getter(clients[("bench-small", "admin")], "/o/bench-small/dashboard/?from=2000-01-01")

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

    small_t = timed(small)
    views = {}
    for name, (role, query) in _views("bench-large").items():
        views[name] = {"role": role, "query": query,
                       **timed_against(small, _getter(clients[("bench-large", role)],
                                                      f"/o/bench-large/dashboard/?{query}"))}
    large_t = views["admin"]
    admin_large = _getter(clients[("bench-large", "admin")], "/o/bench-large/dashboard/?from=2000-01-01")
    naive_t = timed_against(naive, admin_large, repeats=3)  # in turns too: the page against the naive SQL

    def against_small(name: str) -> dict:
        t = views[name]
        return {"value": t["ratio"], "goal": "<= 2 and <= 1 s",
                "large": {"responses": LARGE, **t}, "admin_small": {"responses": SMALL, **small_t}}

    worst = max(views, key=lambda n: views[n]["ratio"])
    drivers = drivers_figures(clients, base_small=small_t, base_fn=small)
    return {
        **drivers,
        "dashboard_scale_ratio": {
            "value": large_t["ratio"], "goal": "<= 2",
            "small": {"responses": SMALL, **small_t}, "large": {"responses": LARGE, **large_t}},
        "dashboard_naive_ratio": {
            "value": round(naive_t["median_s"] / naive_t["base_median_s"], 3), "goal": "<= 0.1",
            "dashboard": large_t, "naive_sql": {"median_s": naive_t["base_median_s"]}, "turns": naive_t},
        "dashboard_department_ratio": against_small("department"),
        "dashboard_manager_ratio": against_small("manager"),
        "dashboard_segment_ratio": against_small("segment"),
        "dashboard_worst_ratio": {
            "value": views[worst]["ratio"], "goal": "<= 2 and <= 1 s", "worst": worst,
            "slowest_s": max(t["median_s"] for t in views.values()),
            "admin_small": {"responses": SMALL, **small_t},
            "views": views},
    }


# The drivers page (issue 20) for these of the dashboard's views.
DRIVERS_VIEWS = ("admin", "department", "manager", "viewer", "survey", "last_90_days", "manager_survey_90_days",
                 "segment")


def drivers_figures(clients, *, base_small: dict, base_fn) -> dict:
    """The comment drivers page (each theme's shares, NPS, effect and trend) at 2 000 000 for the
    dashboard's readers and filters, against the admin's dashboard at 20 000 (the issue's base);
    the drivers page at 20 000 beside it."""
    specs = _views("bench-large")
    drivers_small = timed(_getter(clients[("bench-small", "admin")],
                                  "/o/bench-small/dashboard/drivers/?from=2000-01-01"))
    pages = {}
    for name in DRIVERS_VIEWS:
        role, query = specs[name]
        pages[name] = {"role": role, "query": query,
                       **timed_against(base_fn, _getter(clients[("bench-large", role)],
                                                        f"/o/bench-large/dashboard/drivers/?{query}"))}
    worst = max(pages, key=lambda n: pages[n]["ratio"])
    return {"insights_drivers_ratio": {
        "value": pages[worst]["ratio"], "goal": "<= 2 and <= 1 s", "worst": worst,
        "admin_small_dashboard": {"responses": SMALL, **base_small},
        "admin_small_drivers": {"responses": SMALL, **drivers_small},
        "pages": pages}}


def list_figures() -> dict:
    """The comment explorer and the responses list (first and a far page) at 2 000 000, against
    the admin's dashboard at 20 000."""
    import django

    django.setup()
    from urllib.parse import quote

    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization
    from responses.models import Response
    from responses.selectors import response_cursor

    clients = _clients()
    small = _getter(clients[("bench-small", "admin")], "/o/bench-small/dashboard/?from=2000-01-01")
    small_t = timed(small)
    with tenant_context(Organization.objects.get(slug="bench-large")):  # the 50 000th answer, newest first
        far = response_cursor(Response.objects.exclude(survey__kind="enps").order_by("-created_at", "-pk")[49_999])
    pages = {
        "comments_admin": ("admin", "/o/bench-large/dashboard/comments/?from=2000-01-01"),
        "comments_manager": ("manager", "/o/bench-large/dashboard/comments/?from=2000-01-01"),
        "comments_search": ("admin", "/o/bench-large/dashboard/comments/?from=2000-01-01&q=ventetid&page=3"),
        "responses_admin": ("admin", "/o/bench-large/responses/"),
        # page 1 000: past the numbered pages (COUNT_CAP), reached by "Older" from the 50 000th answer
        "responses_admin_page_1000": ("admin", f"/o/bench-large/responses/?before={quote(far)}"),
        "responses_admin_page_40": ("admin", "/o/bench-large/responses/?page=40"),
        "responses_manager": ("manager", "/o/bench-large/responses/"),
        "responses_detractors": ("admin", "/o/bench-large/responses/?category=detractor"),
    }
    times = {name: {"role": role, "url": url, **timed_against(small, _getter(clients[("bench-large", role)], url))}
             for name, (role, url) in pages.items()}
    out = {}
    for prefix in ("comments", "responses"):
        names = [n for n in times if n.startswith(prefix)]
        worst = max(names, key=lambda n: times[n]["ratio"])
        out[f"{prefix}_list_ratio"] = {
            "value": times[worst]["ratio"], "goal": "<= 2 and <= 1 s", "worst": worst,
            "admin_small_dashboard": {"responses": SMALL, **small_t},
            "pages": {n: times[n] for n in names}}
    return out


def export_figures() -> dict:
    """CSV and XLSX exports of every answer of the large organization, each in a process of its
    own (benchmarks/export_probe.py), so its peak RSS is the export's."""
    out = {}
    for fmt in ("csv", "xlsx"):
        run = subprocess.run(  # noqa: S603 - our own probe
            [sys.executable, str(ROOT / "benchmarks" / "export_probe.py"), "bench-large", fmt],
            cwd=ROOT, capture_output=True, text=True, check=True)
        probe = json.loads(run.stdout.strip().splitlines()[-1])
        out[f"export_{fmt}_peak_rss_mb"] = {"value": probe["peak_rss_mb"],
                                            "goal": "constant memory (independent of the answers)", **probe}
    return out


def alert_figures(samples: int = 20) -> dict:
    """Detractor answer → alert email at a local SMTP sink, with a real, idle Celery worker."""
    import socket
    import threading

    import django

    django.setup()
    from aiosmtpd.controller import Controller

    from followups.services import rules_ensure_defaults
    from nps_platform.celery import app
    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization
    from responses.services import Submission, response_record_public
    from surveys.models import Survey
    from surveys.presentation import survey_shown

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    app.control.purge()  # an idle worker: nothing left in the queue from an earlier, interrupted run
    # ... nor in the answers' outbox: the submission benchmark's answers (tens of thousands after a
    # few runs, all promoters) wait there for their rollup recounts and comment analyses, which
    # the worker would do first — the backlog the purge dropped when they were tasks
    from responses.models import ResponseOutbox

    ResponseOutbox.objects.dangerously_unscoped().delete()
    arrived: list[float] = []
    lock = threading.Lock()

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                arrived.append(time.perf_counter())
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nps_platform", "worker", "--concurrency=1", "--pool=solo",
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(6)  # the worker connects and is idle
        organization = Organization.objects.get(slug="bench-small")
        latencies = []
        with tenant_context(organization):
            rules_ensure_defaults(organization=organization)
            survey = Survey.objects.get(name="Benchmark survey")
            version = survey.current_version
            shown = survey_shown(definition=version.definition, language="da", category="detractor")
            for _ in range(samples):
                before = len(arrived)
                started = time.perf_counter()
                response_record_public(survey=survey, version=version, shown=shown, channel="link",
                                       submission=Submission(score=2, answers={"reason": "Benchmark"}))
                deadline = started + 30
                while len(arrived) == before and time.perf_counter() < deadline:
                    time.sleep(0.005)
                latencies.append(round(arrived[-1] - started, 3) if len(arrived) > before else 30.0)
                time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        controller.stop()
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    return {"alert_p95_s": {"value": p95, "goal": "< 5", "p50_s": latencies[len(latencies) // 2],
                            "samples_s": latencies}}


def _load(port: int, path: str, clients: int, seconds: float) -> tuple[str, dict]:
    """Runs the load process: wrk with benchmarks/submit.lua when installed (C, little CPU),
    else benchmarks/load.py (Python threads, which take a share of the two cores)."""
    import shutil

    wrk = shutil.which("wrk")
    if wrk:
        run = subprocess.run(  # noqa: S603 - the HTTP benchmark tool, on 127.0.0.1
            [wrk, "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s", "-s",
             str(ROOT / "benchmarks" / "submit.lua"), f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True)
        return "wrk", json.loads(run.stdout.strip().splitlines()[-1])
    run = subprocess.run(  # noqa: S603 - our own load process
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), str(port), path, str(clients), str(seconds)],
        capture_output=True, text=True, check=True)
    return "benchmarks/load.py", json.loads(run.stdout)


def _serve_and_load(path: str, clients: int, seconds: float, workers: int, threads: int,
                    settings: str | None = None) -> tuple[str, dict]:
    """The product's web server (nps_platform.serve: granian) on a free port of 127.0.0.1, loaded
    from a separate process once every worker has loaded the application
    (benchmarks/ready_wsgi.py) and answered a few seconds of GETs of the page (its per-process
    caches warm, as in a server that has run a while)."""
    import shutil
    import socket
    import tempfile

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ready = Path(tempfile.mkdtemp(prefix="bench-web-"))
    env = {**os.environ, "DEBUG": "false", "PUBLIC_RESPONSE_LIMIT": "1000000000", "LOG_LEVEL": "WARNING",
           "BENCH_READY_DIR": str(ready)}
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    server = subprocess.Popen(  # noqa: S603 - our own server
        [sys.executable, "-m", "nps_platform.serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
         "--app", "benchmarks.ready_wsgi:application"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 180
        while len(list(ready.iterdir())) < workers and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
        if wrk := shutil.which("wrk"):
            subprocess.run([wrk, "-t2", f"-c{clients}", "-d3s", f"http://127.0.0.1:{port}{path}"],  # noqa: S603
                           capture_output=True, check=False)
        return _load(port, path, clients, seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(ready, ignore_errors=True)


def submission_figures(clients: int = 8, seconds: float = 15.0, workers: int = 2, threads: int = 2) -> dict:
    """Public-link answers per second through the web server (nps_platform.serve), against
    single-row INSERT transactions per second into an equivalent table by pgbench with as many
    clients. Every answer carries a unique comment, so duplicates are counted in the table
    afterwards."""
    import re
    import shutil
    import tempfile

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization
    from responses.models import Response
    from surveys.models import Survey
    from surveys.services import survey_public_link_set

    organization = Organization.objects.get(slug="bench-small")
    with tenant_context(organization):
        survey = Survey.objects.get(name="Benchmark survey")
        survey_public_link_set(survey=survey, enabled=True, ask_department=False, by=None)
    started_at = timezone.now()
    tool, web = _serve_and_load(f"/s/{survey.public_token}/", clients, seconds, workers, threads)
    with tenant_context(organization):
        tagged = Response.objects.filter(survey=survey, created_at__gte=started_at, comment__startswith="bench-")
        created = tagged.count()
        duplicates = sum(row["n"] - 1 for row in tagged.values("comment").annotate(n=Count("id")).filter(n__gt=1))
    accepted = web["requests"] - web["status_errors"]
    per_second = round(accepted / web["seconds"], 1)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, organization_id bigint, "
                       "survey_id bigint, score smallint, category varchar(10), answers jsonb, "
                       "created_at timestamptz DEFAULT now())")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_insert (organization_id, survey_id, score, category, answers) "
                     "VALUES (1, 1, 9, 'promoter', '{\"reason\": \"Benchmark answer\"}');\n")
    database = connection.settings_dict
    pgbench = shutil.which("pgbench") or "/usr/bin/pgbench"
    pg = subprocess.run(  # noqa: S603 - the PostgreSQL client's benchmark
        [pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(int(seconds)), "-f", script.name,
         "-h", database["HOST"] or "127.0.0.1", "-p", str(database["PORT"] or 5432), "-U", database["USER"],
         database["NAME"]], capture_output=True, text=True, check=True)
    tps = float(re.search(r"tps = ([\d.]+)", pg.stdout).group(1))
    # The floor: the same stack answering with a view that looks up and saves nothing.
    _tool, floor = _serve_and_load("/floor/", clients, seconds, workers, threads, settings="benchmarks.floor_settings")
    floor_per_second = round((floor["requests"] - floor["status_errors"]) / floor["seconds"], 1)
    return {"submission_ratio": {
        "value": round(per_second / tps, 3), "goal": ">= 0.10 (no error, no duplicate)",
        "web": {**web, "load_tool": tool, "server": "granian (nps_platform.serve)",
                "server_workers": workers, "server_threads": threads, "per_second": per_second,
                "errors": web["socket_errors"] + web["status_errors"], "responses_created": created,
                "duplicates": duplicates, "in_flight_at_stop": created - duplicates - accepted},
        "pgbench_tps": tps, "clients": clients,
        "django_floor": {"per_second": floor_per_second, "ratio_to_pgbench": round(floor_per_second / tps, 3),
                         "p50_s": floor["p50_s"], "p99_s": floor["p99_s"],
                         "what": "POST to a view that reads the form and redirects, same middleware and server"}}}


def comment_figures(n: int = int(os.environ.get("BENCH_COMMENTS", "2000"))) -> dict:
    """Comment analysis (sentiment and themes) of n unique comments, with the embedding model and
    with the lexicons alone, each in a process of its own (benchmarks/comments.py), extrapolated
    to 100 000 comments."""
    out = {}
    for mode, flag in (("model", []), ("lexicon", ["--lexicon"])):
        run = subprocess.run(  # noqa: S603 - our own probe
            [sys.executable, str(ROOT / "benchmarks" / "comments.py"), str(n), *flag],
            cwd=ROOT, capture_output=True, text=True, check=True)
        probe = json.loads(run.stdout.strip().splitlines()[-1])
        out[f"comments_{mode}_100k_s"] = {
            "value": probe["extrapolated_100k_s"],
            "goal": f"seconds per 100 000 comments (from {n}; CPU {probe['cpu_extrapolated_100k_s']} s, "
                    f"peak {probe['peak_rss_mb']} MB)", **probe}
    return out


PARTS = ("data", "dashboard", "lists", "exports", "alert", "submissions", "dispatch", "comments")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                        help=f"comma-separated parts to run ({', '.join(PARTS)}); default: all")
    parser.add_argument("--skip-data", action="store_true", default=os.environ.get("BENCH_SKIP_DATA") == "1",
                        help="keep the benchmark organizations as they are (no bench_data)")
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.only.split(",") if p.strip()} or set(PARTS)
    if unknown := parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.skip_data:
        parts.discard("data")
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")  # served by whitenoise, as in production
    if "data" in parts:
        manage("bench_data", "--slug", "bench-small", "--responses", str(SMALL))
        manage("bench_data", "--slug", "bench-large", "--responses", str(LARGE))
    figures = {}
    for part, measure in (("dashboard", dashboard_figures), ("lists", list_figures), ("exports", export_figures),
                          ("alert", alert_figures), ("submissions", submission_figures),
                          ("dispatch", lambda: dispatch_figures(loop_messages=LOOP_MESSAGES)),
                          ("comments", comment_figures)):
        if part in parts:
            figures.update(measure())
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2, default=str))
    print(f"\n{'measure':<28}{'value':>10}  goal")
    for name, data in figures.items():
        value = "—" if data["value"] is None else data["value"]
        print(f"{name:<28}{value!s:>10}  {data.get('goal', data.get('note', ''))}")
    views = figures.get("dashboard_worst_ratio", {}).get("views", {})
    lists = {**figures.get("comments_list_ratio", {}).get("pages", {}),
             **figures.get("responses_list_ratio", {}).get("pages", {})}
    drivers = {f"drivers_{name}": t for name, t in figures.get("insights_drivers_ratio", {}).get("pages", {}).items()}
    if views or lists or drivers:
        print(f"\n{'view at ' + str(LARGE):<28}{'median s':>10}  × admin at {SMALL}")
        for name, t in {**views, **drivers, **lists}.items():
            print(f"{name:<28}{t['median_s']:>10}  {t['ratio']}")
    print(f"\nfigures: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
