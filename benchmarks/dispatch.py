"""Goals 4 and 6: a campaign to N contacts (100 000) dispatched by real Celery workers to a local
SMTP sink, against a bare smtplib loop sending as many pre-rendered messages to the same sink;
and the peak memory of the worker (its whole process tree) meanwhile.

- Data: `manage.py bench_dispatch_data --slug bench-dispatch --contacts N` (N contacts by COPY, a
  one-off campaign to all of them, started with the product's `campaign_start`).
- Sink: aiosmtpd in its own process (`python benchmarks/dispatch.py sink PORT`), counting
  messages and the distinct `X-NPS-Invitation` headers; it answers `count` / `reset` on stdin.
- Workers: `celery -A nps_platform worker` (prefork, concurrency 2: this machine has 2 cores),
  EMAIL_URL pointing at the sink, DEBUG off as in production. The benchmark plays beat: it
  sends the `distribution.tick` task at once and then at beat's interval
  (CELERY_BEAT_SCHEDULE["distribution-tick"]), so the workers do everything — the campaign run
  (the N invitations), the claims, rendering and sending. Timed from the first tick to the
  last message at the sink.
- Accounted for: N EmailSend rows sent, none failed or retrying, N invitations sent, N messages
  at the sink, N distinct invitations among them.
- Against: one smtplib connection sending N copies of one real rendered invitation
  (`invitation_email(...)`, the same bytes) to the same sink, timed until the sink has them all.
- Memory: the worker's process tree (the main process and its pool children, from /proc) every
  0.2 s; the value is the largest PSS total (each shared page counted once); beside it the
  largest RSS total (shared pages counted in every process), and the largest single process
  (VmRSS, and VmHWM, the kernel's own peak).

`dispatch_figures()` runs it all (data command included) and returns the two figures; run
this file directly for just these two."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_platform.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

SLUG = "bench-dispatch"
DISPATCH = int(os.environ.get("BENCH_DISPATCH", "100000"))


# --- The sink (its own process) ------------------------------------------------------------------

def sink_main(port: int) -> None:
    import re

    from aiosmtpd.controller import Controller

    header = re.compile(rb"\nX-NPS-Invitation: ([^\r\n]+)")
    lock = threading.Lock()
    state = {"count": 0, "bytes": 0, "first": None, "last": None, "ids": set()}

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            match = header.search(envelope.content)
            now = time.time()
            with lock:
                state["count"] += 1
                state["bytes"] += len(envelope.content)
                state["first"] = state["first"] or now
                state["last"] = now
                if match:
                    state["ids"].add(match.group(1))
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        with lock:
            if command == "reset":
                state.update(count=0, bytes=0, first=None, last=None, ids=set())
            answer = {k: (len(v) if k == "ids" else v) for k, v in state.items()}
        print(json.dumps(answer), flush=True)
    controller.stop()


class SinkProcess:
    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(  # noqa: S603 - this file, as the sink
            [sys.executable, __file__, "sink", str(self.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, cwd=ROOT)
        assert self.process.stdout.readline().strip() == "ready"

    def ask(self, command: str = "count") -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


# --- Memory of a process tree ----------------------------------------------------------------------

def _status(pid: int) -> dict:
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    fields[key] = int(value.split()[0]) / 1024  # kB → MB
    except OSError:
        pass
    return fields


def _pss(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.stop_event = threading.Event()
        self.peak_tree_rss = self.peak_tree_pss = self.peak_process_rss = 0.0
        self.peak_hwm: dict[int, float] = {}
        self.samples = 0
        self.peak_processes = 0

    def sample(self):
        pids = _tree(self.pid)
        statuses = {p: _status(p) for p in pids}
        rss = [s.get("VmRSS", 0.0) for s in statuses.values()]
        self.peak_tree_rss = max(self.peak_tree_rss, sum(rss))
        self.peak_tree_pss = max(self.peak_tree_pss, sum(_pss(p) for p in pids))
        self.peak_process_rss = max(self.peak_process_rss, max(rss, default=0.0))
        for p, s in statuses.items():
            if "VmHWM" in s:
                self.peak_hwm[p] = max(self.peak_hwm.get(p, 0.0), s["VmHWM"])
        self.peak_processes = max(self.peak_processes, len(pids))
        self.samples += 1

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.every)

    def stop(self):
        self.sample()  # the last VmHWM, while the processes are still there
        self.stop_event.set()
        self.join()


# --- The benchmark ----------------------------------------------------------------------------------

def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603 - our own command


def _wait_for_worker(app, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("The Celery worker did not answer a ping.")


def _smtplib_loop(port: int, message: bytes, sender: str, to: str, count: int) -> None:
    import smtplib

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _ in range(count):
            smtp.sendmail(sender, [to], message)


def dispatch_figures(contacts: int = DISPATCH, concurrency: int = 2, timeout: float = 420,
                     loop_messages: int | None = None) -> dict:
    """`loop_messages` (default: as many as the workers send) sets the smtplib loop's length;
    its rate is steady, so 20 000 saves some 90 s of a 100 000 run."""
    loop_messages = loop_messages or contacts
    _manage("bench_dispatch_data", "--slug", SLUG, "--contacts", str(contacts))
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count

    from distribution.emails import invitation_email
    from distribution.models import EmailSend, Invitation
    from distribution.tasks import distribution_tick
    from nps_platform.celery import app
    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization

    organization = Organization.objects.get(slug=SLUG)
    beat_every = float(settings.CELERY_BEAT_SCHEDULE["distribution-tick"]["schedule"])
    app.control.purge()  # nothing left over from an interrupted run
    sink = SinkProcess()
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}", "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "-m", "celery", "-A", "nps_platform", "worker", "--pool=prefork",
         f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip",
         "--without-mingle"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(worker.pid)
    ticks = 0
    try:
        _wait_for_worker(app)
        idle = MemorySampler(worker.pid)
        idle.sample()
        sampler.start()
        started = time.time()
        next_tick = started
        deadline = started + timeout
        arrived = sink.ask()
        while arrived["count"] < contacts and time.time() < deadline:
            if time.time() >= next_tick:  # beat
                distribution_tick.delay()
                ticks += 1
                next_tick += beat_every
            time.sleep(0.2)
            arrived = sink.ask()
        with tenant_context(organization):
            settle = time.time() + 10  # the last rows are marked sent just after their message leaves
            while time.time() < settle and EmailSend.objects.filter(status=EmailSend.Status.SENDING).exists():
                time.sleep(0.1)
        sampler.stop()
    finally:
        if sampler.is_alive():
            sampler.stop()
        worker.terminate()
        _out, worker_errors = worker.communicate(timeout=30)
    dispatch_s = (arrived["last"] or time.time()) - started
    with tenant_context(organization):
        sends = dict(EmailSend.objects.filter(kind=EmailSend.Kind.INVITATION).values_list("status")
                     .annotate(n=Count("pk")))
        invitations = dict(Invitation.objects.values_list("status").annotate(
            n=Count("pk")))
        sample = (Invitation.objects.filter(status=Invitation.Status.SENT)
                  .select_related("campaign", "survey__current_version", "contact", "employee", "organization")
                  .first())
        message = invitation_email(invitation=sample, kind=EmailSend.Kind.INVITATION).message()
        rendered = message.as_bytes(linesep="\r\n")
        sender, to = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">"), sample.email

    sink.ask("reset")
    loop_started = time.time()
    _smtplib_loop(sink.port, rendered, sender, to, loop_messages)
    loop = sink.ask()
    loop_s = loop["last"] - loop_started
    sink.stop()

    workers_per_s, loop_per_s = arrived["count"] / dispatch_s, loop["count"] / loop_s
    accounted = (sends.get(EmailSend.Status.SENT, 0) == contacts and len(sends) == 1
                 and invitations.get(Invitation.Status.SENT, 0) == contacts and len(invitations) == 1
                 and arrived["count"] == contacts and arrived["ids"] == contacts)
    peak_hwm = max(sampler.peak_hwm.values(), default=0.0)
    return {
        "dispatch_ratio": {
            "value": round(workers_per_s / loop_per_s, 3), "goal": ">= 0.5 (every invitation accounted for)",
            "accounted_for": accounted,
            "workers": {"messages": arrived["count"], "distinct_invitations": arrived["ids"],
                        "seconds": round(dispatch_s, 1), "per_second": round(workers_per_s, 1),
                        "first_message_after_s": round((arrived["first"] or started) - started, 1),
                        "ticks": ticks, "beat_every_s": beat_every, "pool": f"prefork, concurrency {concurrency}",
                        "mean_message_bytes": round(arrived["bytes"] / max(arrived["count"], 1))},
            "email_sends": sends, "invitations": invitations,
            "smtplib_loop": {"messages": loop["count"], "seconds": round(loop_s, 1),
                             "per_second": round(loop_per_s, 1), "message_bytes": len(rendered)},
            "worker_errors": [line for line in worker_errors.splitlines()
                              if "ERROR" in line or "Traceback" in line][-5:],
        },
        "worker_peak_mb": {
            # PSS: each page counted once, split among the processes sharing it. Adding up RSS
            # would count the pages the pool children share with their parent (Django and
            # everything imported before the fork) three times.
            "value": round(sampler.peak_tree_pss, 1), "goal": "< 300", "measure": "PSS of the worker's process tree",
            "peak_tree_rss_mb": round(sampler.peak_tree_rss, 1),
            "peak_process_rss_mb": round(sampler.peak_process_rss, 1),
            "peak_process_hwm_mb": round(peak_hwm, 1),
            "idle_tree_rss_mb": round(idle.peak_tree_rss, 1),
            "processes": sampler.peak_processes, "samples": sampler.samples,
        },
    }


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "sink":
        sink_main(int(sys.argv[2]))
    else:
        figures = dispatch_figures(int(sys.argv[1]) if len(sys.argv) > 1 else DISPATCH)
        print(json.dumps(figures, indent=2))
