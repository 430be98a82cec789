"""The real engines and processes the scale tests start on 127.0.0.1 and stop again: a PostgreSQL
primary of their own and a streaming replica of it (pg_basebackup; each its own port and data
directory), a RabbitMQ vhost, web processes (nps_platform.serve) and Celery workers and beat "as on
different hosts" (each its own port, var/ and media directory; only the environment is shared),
and a round-robin TCP proxy in front of the web processes: one address, as a load balancer."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

from tests.conftest import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def sql(query: str, params=(), *, dbname: str = "postgres", port: int = 5432, fetch: bool = True):
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True,
                         connect_timeout=5) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if fetch and cur.description else None


def _as_postgres() -> dict:
    """Arguments that run a PostgreSQL tool as the `postgres` user when we are root (it refuses root)."""
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


class Cluster:
    """A PostgreSQL 15 cluster of the tests' own on a free port: the primary (initdb, which allows
    replication from 127.0.0.1) or, given `primary_port`, a hot standby of it streaming from it
    (pg_basebackup). The machine's shared cluster is not copied: it is large (a basebackup of it
    takes half a minute) and other test runs keep transactions with many savepoints open on it,
    while which a hot standby refuses connections."""

    def __init__(self, primary_port: int | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="nps-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.primary_port = primary_port
        self.log = self.dir / "postgres.log"
        self.proc = None
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _tool(self, name: str, *args):
        done = subprocess.run([str(PG_BIN / name), *args], capture_output=True, text=True, timeout=180,
                              **_as_postgres())
        if done.returncode:
            raise RuntimeError(f"{name} failed: {done.stderr}")

    def start(self):
        if self.primary_port is None:
            self._tool("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-sync")
        else:
            self._tool("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                       "-D", str(self.data), "-R", "-X", "stream", "-c", "fast")
        conf = [f"port = {self.port}", "listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{self.dir}'",
                "wal_level = replica", "max_wal_senders = 5", "hot_standby = on", "max_connections = 60",
                "shared_buffers = 32MB", "fsync = off", "synchronous_commit = off", "full_page_writes = off",
                "logging_collector = off"]
        (self.data / "postgresql.conf").write_text("\n".join(conf) + "\n")
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                                               "host replication all 127.0.0.1/32 trust\n")
        if os.geteuid() == 0:
            for path in (self.data / "postgresql.conf", self.data / "pg_hba.conf"):
                shutil.chown(path, "postgres", "postgres")
        self.proc = subprocess.Popen([str(PG_BIN / "postgres"), "-D", str(self.data)], stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True, **_as_postgres())
        standby = self.primary_port is not None
        wait_until(lambda: sql("SELECT pg_is_in_recovery()", port=self.port)[0][0] == standby, 60,
                   what="PostgreSQL's start")
        return self

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RabbitVhost:
    """A vhost of its own on the RabbitMQ at 127.0.0.1:5672, deleted afterwards."""

    def __init__(self):
        self.name = f"nps_test_{os.getpid()}_{time.time_ns() % 10**6}"

    def _ctl(self, *args):
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}")

    def create(self):
        self._ctl("add_vhost", self.name)
        self._ctl("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")
        return self

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def delete(self):
        try:
            self._ctl("delete_vhost", self.name)
        except RuntimeError:
            pass


class S3Store:
    """An S3-compatible object store (moto's server) with one bucket: the hosts' shared MEDIA."""

    bucket = "nps-media"

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="nps-s3-"))
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p",
                                      str(self.port)], stdout=(self.dir / "s3.log").open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: requests.get(self.url, timeout=2).status_code < 500, 60, what="the S3 server's start")
        self.client().create_bucket(Bucket=self.bucket)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    env = {"AWS_ACCESS_KEY_ID": "scale-test", "AWS_SECRET_ACCESS_KEY": "scale-test", "MEDIA_S3_REGION": "us-east-1"}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="scale-test", aws_secret_access_key="scale-test")

    def keys(self) -> list[str]:
        return [o["Key"] for o in self.client().list_objects_v2(Bucket=self.bucket).get("Contents", [])]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class RoundRobinProxy:
    """One address in front of several web processes: each new connection goes to the next one."""

    def __init__(self):
        self.backends: list[int] = []
        self.served: list[int] = []
        self.port = free_port()
        self.sock = socket.create_server(("127.0.0.1", self.port))
        self._n = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route_to(self, ports: list[int]):
        self.backends, self.served = list(ports), [0] * len(ports)

    def _serve(self):
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            i = self._n % len(self.backends)
            self._n += 1
            self.served[i] += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", self.backends[i]), timeout=30)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self._stop = True
        self.sock.close()


class Stack:
    """The product on several "hosts": `web(n)`, `worker(n)`, `beat()` processes, all ended by pid."""

    def __init__(self, *, dbname: str, db_port: int, redis_url: str, broker_url: str, smtp_port: int,
                 replica_url: str = "", extra_env: dict | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="nps-stack-"))
        self.dbname, self.db_port = dbname, db_port
        self.procs: dict[str, subprocess.Popen] = {}
        self.web_ports: list[int] = []
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_BACKEND")}
        self.env.update(
            DJANGO_SETTINGS_MODULE="nps_platform.settings.scale_test", PYTHONPATH=str(ROOT),
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{db_port}/{dbname}", DATABASE_REPLICA_URL=replica_url,
            REDIS_URL=redis_url, CELERY_BROKER_URL=broker_url, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            CACHE_KEY_PREFIX=f"scale-{os.getpid()}-{time.time_ns()}", LOG_LEVEL="INFO",
            **(extra_env or {}))

    def host_env(self, name: str) -> dict:
        """A host's own var/ and media directory: nothing on disk is shared between processes."""
        var = self.dir / name
        (var / "media").mkdir(parents=True, exist_ok=True)
        return {**self.env, "VAR_DIR": str(var), "MEDIA_ROOT": str(var / "media")}

    def run(self, *args, timeout: float = 300) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.host_env("setup"), capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def create_database(self, people: int) -> dict:
        sql(f'CREATE DATABASE "{self.dbname}"', port=self.db_port)
        self.run("manage.py", "migrate", "--noinput", "-v0")
        out = self.run("tests/scale/stack_setup.py", str(people))
        return json.loads(next(line for line in out.splitlines() if line.startswith("STACK "))[6:])

    def _launch(self, name: str, args: list[str], ready):
        log = self.dir / f"{name}.log"
        proc = subprocess.Popen(args, cwd=ROOT, env=self.host_env(name), stdout=log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path, proc.ready = log, ready
        self.procs[name] = proc
        return proc

    def _wait_ready(self, *procs):
        for proc in procs:
            try:
                wait_until(lambda p=proc: p.poll() is None and p.ready(p.log_path), 90, what="a start")
            except AssertionError:
                raise AssertionError(f"{proc.args[:4]} did not start:\n" + proc.log_path.read_text()[-3000:]) from None

    def web(self, n: int):
        port = free_port()
        self.web_ports.append(port)
        return self._launch(f"web{n}", [sys.executable, "-m", "nps_platform.serve", "--port", str(port),
                                        "--workers", "1", "--threads", "4", "--access-log"],
                            lambda log: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200)

    def worker(self, n: int):
        return self._launch(f"worker{n}", [sys.executable, "-m", "celery", "-A", "nps_platform", "worker",
                                           "--loglevel=INFO", "--pool=solo", "--concurrency=1", "-n", f"w{n}@%h",
                                           "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            lambda log: "ready" in log.read_text())

    def beat(self):
        return self._launch("beat", [sys.executable, "-m", "celery", "-A", "nps_platform", "beat",
                                     "--loglevel=INFO", f"--schedule={self.dir / 'beat-schedule'}"],
                            lambda log: "beat: Starting" in log.read_text())

    def start(self, *, webs: int = 0, workers: int = 0, beat: bool = False, first: int = 1):
        """Starts them all at once (the two cores share the imports), then waits for each."""
        procs = [self.web(n) for n in range(first, first + webs)] + \
            [self.worker(n) for n in range(first, first + workers)]
        if beat:
            procs.append(self.beat())
        self._wait_ready(*procs)

    def kill(self, name: str):
        proc = self.procs[name]
        os.kill(proc.pid, signal.SIGKILL)  # the pid this stack started
        proc.wait(10)

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{proc.log_path.read_text()[-1500:]}" for name, proc in self.procs.items())

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # its own session (start_new_session): it and its children
                proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)
