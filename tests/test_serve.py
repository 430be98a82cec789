"""The production web server (`python -m nps_platform.serve`, granian) for real, on 127.0.0.1:
it answers, keeps a browser's connection open from request to request, and a worker that dies
is started again (the site does not go down with it)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _get(port: int, path: str = "/healthz") -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


@pytest.fixture
def server():
    database = connection.settings_dict
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                                          f"{database['PORT'] or 5432}/{database['NAME']}"}
    proc = subprocess.Popen([sys.executable, "-m", "nps_platform.serve", "--port", str(port), "--workers", "1",
                             "--threads", "2", "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: _get(port) == 200, 90, "the server's start")
        yield proc, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this test started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_one_connection_carries_several_requests(server):
    _proc, port = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz")
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", "/s/1.nope/")  # a wrong public token: the friendly 404, on the same connection
    second = conn.getresponse()
    body = second.read().decode()
    assert first.status == 200 and second.status == 404
    assert conn.sock is sock  # kept alive: no new TCP connection for the second request
    assert "<html" in body.lower()
    conn.close()


def test_a_dead_worker_is_started_again(server):
    proc, port = server
    workers = wait_until(lambda: _children(proc.pid), 30, "its worker")
    for pid in workers:
        os.kill(pid, signal.SIGKILL)  # a worker of the server this test started
    replaced = wait_until(lambda: _children(proc.pid) - workers, 60, "a new worker")
    assert replaced
    assert wait_until(lambda: _get(port) == 200, 90, "an answer from the new worker")
    assert proc.poll() is None
