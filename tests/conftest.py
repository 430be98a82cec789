"""Shared fixtures. Tests use real PostgreSQL, Redis, SMTP (aiosmtpd) and Celery workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    db_url = f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    problems = []
    if not _reachable(db_url, 5432):
        problems.append(
            f"PostgreSQL is not reachable at {db_url}. Start it (e.g. `pg_ctlcluster 15 main start`, or "
            "`docker compose up -d postgres`) or point DATABASE_URL at one."
        )
    if not _reachable(settings.REDIS_URL, 6379):
        problems.append(
            f"Redis is not reachable at {settings.REDIS_URL}. Start it (e.g. `redis-server --daemonize yes`, or "
            "`docker compose up -d redis`) or point REDIS_URL at one."
        )
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


# --- Tenants and users ---------------------------------------------------------------------

@pytest.fixture
def make_org(db):
    from organizations.models import User
    from organizations.services import organization_create

    counter = {"n": 0}

    def make(name: str | None = None, owner_email: str | None = None, password: str = "pass-Word-123"):
        counter["n"] += 1
        n = counter["n"]
        owner = User.objects.create_user(email=owner_email or f"owner{n}-{time.time_ns()}@example.com",
                                         password=password, full_name=f"Owner {n}")
        organization = organization_create(name=name or f"Org {n}", owner=owner)
        return organization, owner

    return make


@pytest.fixture
def org_a(make_org):
    return make_org("Alpha ApS")


@pytest.fixture
def org_b(make_org):
    return make_org("Beta AB")


@pytest.fixture
def add_member(db):
    """add_member(organization, role) → a new user with that role in the organization."""
    from nps_platform.tenancy import tenant_context
    from organizations.models import Membership, User

    def add(organization, role, email=None):
        user = User.objects.create_user(email=email or f"{role}-{organization.slug}@example.com",
                                        password="pass-Word-123")
        with tenant_context(organization):
            Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return add


@pytest.fixture
def in_tenant():
    from nps_platform.tenancy import tenant_context

    return tenant_context


@pytest.fixture
def member_client(client):
    """Logs `client` in as a user; returns the client."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


# --- A real SMTP sink ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str = "condition", step: float = 0.2):
    """`check()`'s first true value within `timeout` seconds (an exception counts as not yet:
    a process still starting refuses connections); else the test fails, naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:
            last = exc
        time.sleep(step)
    raise AssertionError(f"{what} not reached within {timeout} s (last: {last!r})")


class SmtpSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = message_from_bytes(envelope.original_content, policy=policy.default)
                with sink._lock:
                    sink.messages.append(msg)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count: int = 1, timeout: float = 20.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        return list(self.messages)

    def body(self, msg, kind: str = "plain") -> str:
        part = msg.get_body(preferencelist=(kind,))
        return part.get_content() if part else ""


@pytest.fixture
def smtp_sink(settings):
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


# --- A real Celery worker ---------------------------------------------------------------------
# The real workers use Redis (the test REDIS_URL), or RabbitMQ with TEST_BROKER=rabbitmq: a vhost
# of this run's own on 127.0.0.1:5672 with the product's RabbitMQ settings (quorum queues,
# publisher confirms, native delayed delivery). Tests marked `both_brokers` run on both, always.
TEST_BROKER = os.environ.get("TEST_BROKER", "redis")
BROKERS = ("redis", "rabbitmq")


def pytest_generate_tests(metafunc):
    if "celery_worker_factory" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_brokers"):
        metafunc.parametrize("broker", BROKERS, indirect=True)


@pytest.fixture
def broker(request):
    name = getattr(request, "param", TEST_BROKER)
    if name not in BROKERS:
        pytest.fail(f"TEST_BROKER={name!r}: use one of {', '.join(BROKERS)}.")
    return name


@pytest.fixture(scope="session")
def rabbitmq_vhost():
    if not _reachable("amqp://127.0.0.1:5672", 5672):
        pytest.fail("RabbitMQ is not running on 127.0.0.1:5672 (.ci/run starts it: rabbitmq-server -detached).")
    from tests.scale.stack import RabbitVhost

    vhost = RabbitVhost().create()
    yield vhost.url
    vhost.delete()


def _use_broker(app, conf: dict):
    """Point the test process's Celery app (its publishing) at another broker and queue."""
    app.conf.update(conf)
    app._pool = None  # kombu keeps one pool per broker: the next use takes this broker's
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "default_exchange", "router"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def celery_worker_factory(request, settings, smtp_sink, transactional_db, tmp_path, broker):
    """start() launches a real `celery worker` subprocess on the test database, the test Redis
    (or RabbitMQ: `broker` above) and the SMTP sink; the fixture stops it. Needs
    `transactional_db`: the worker sees only committed rows. The queue is private to this test,
    and purged before and after."""
    from django.db import connection

    from nps_platform.celery import app

    db = connection.settings_dict
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    keys = ("broker_url", "broker_transport_options", "task_default_queue_type",
            "task_create_missing_queue_type", "task_default_exchange_type",
            "task_create_missing_queue_exchange_type")
    before = {key: app.conf[key] for key in keys}
    broker_env = {"REDIS_URL": settings.CELERY_BROKER_URL, "CELERY_BROKER_URL": ""}
    if broker == "rabbitmq":
        url = request.getfixturevalue("rabbitmq_vhost")
        settings.CELERY_BROKER_URL = url
        _use_broker(app, {"broker_url": url, "broker_transport_options": {"confirm_publish": True},
                          "task_default_queue_type": "quorum", "task_create_missing_queue_type": "quorum",
                          "task_default_exchange_type": "topic",
                          "task_create_missing_queue_exchange_type": "topic"})
        broker_env = {"REDIS_URL": settings.REDIS_URL, "CELERY_BROKER_URL": url}
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    procs = []

    def start():
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="nps_platform.settings.worker_test",
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_sink.port}",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            # the test's own: its cache (the rollups' due markers) and refresh window
            CACHE_KEY_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""),
            ROLLUP_REFRESH_DELAY=str(settings.ROLLUP_REFRESH_DELAY),
            PYTHONPATH=str(ROOT),
            **broker_env,
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        log = tmp_path / f"worker-{len(procs)}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "nps_platform", "worker", "--loglevel=INFO",
             "--concurrency=1", "--pool=solo", "-Q", queue, "--without-heartbeat", "--without-gossip",
             "--without-mingle"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        proc.log_path = log
        procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "ready" not in log.read_text():
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        if "ready" not in log.read_text():
            proc.kill()
            pytest.fail("The Celery worker did not start:\n" + log.read_text()[-3000:])
        transport = "amqp://" if broker == "rabbitmq" else "redis://"
        assert transport in log.read_text(), f"the worker is not on {broker}:\n" + log.read_text()[-3000:]
        return proc

    start.queue = queue
    yield start
    for proc in procs:
        proc.terminate()
        try:  # on RabbitMQ a worker's warm shutdown can take 10 s; its queue is deleted below anyway
            proc.wait(timeout=10 if broker == "redis" else 2)
        except subprocess.TimeoutExpired:
            proc.kill()
    with app.connection_for_write() as conn:
        if broker == "rabbitmq":
            conn.default_channel.queue_delete(queue)
        else:
            conn.default_channel.queue_purge(queue)
    app.conf.task_default_queue = "celery"
    app.conf.task_always_eager = True
    if broker == "rabbitmq":
        _use_broker(app, before)


@pytest.fixture
def celery_worker_process(celery_worker_factory):
    return celery_worker_factory()


# --- A real browser -------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does it).")
    # Playwright's sync API runs an event loop in this thread; the live server's database calls
    # from this thread are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets axe-core be injected; the CSP itself is held by tests/test_platform.py.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    # Let requests the page's script started finish before the test database is flushed.
    pg.wait_for_load_state("networkidle")
    context.close()


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_violations():
    """axe_violations(page) → the serious and critical accessibility violations on the page."""

    def check(pg) -> list[str]:
        if not AXE.exists():
            pytest.fail("axe-core is not installed: run `npm ci` (make test does it).")
        pg.add_script_tag(path=str(AXE))
        result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return check


@pytest.fixture
def browser_login(page):
    def login(email: str, password: str = "pass-Word-123"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return login
