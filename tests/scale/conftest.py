"""One stack for the module: the product on two web processes behind one address, two Celery
workers and beat on RabbitMQ, the primary and a streaming replica, a slow SMTP sink."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace

import pytest

from tests.slow_sink import SlowSink

from .stack import Cluster, RabbitVhost, RoundRobinProxy, S3Store, Stack

PEOPLE = 300
LEASE = 3
PUBLIC_LIMIT = 4


def pytest_configure(config):
    config.addinivalue_line("markers", "scale: several web processes and workers on RabbitMQ, a PostgreSQL replica")


def _rabbit_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack():
    from django.conf import settings

    if not _rabbit_up():
        pytest.fail("RabbitMQ is not running on 127.0.0.1:5672 (.ci/run starts it: rabbitmq-server -detached).")
    sink = SlowSink(delay=0.02)
    sink.controller.start()
    vhost = RabbitVhost().create()
    proxy = RoundRobinProxy()
    store = S3Store()
    primary = Cluster()
    dbname = "nps_scale_stack"
    st = Stack(dbname=dbname, db_port=primary.port, redis_url=settings.REDIS_URL, broker_url=vhost.url,
               smtp_port=sink.port,
               extra_env={"SEND_LEASE_SECONDS": str(LEASE), "PUBLIC_RESPONSE_LIMIT": str(PUBLIC_LIMIT),
                          "REPLICA_PIN_SECONDS": "4", "REPLICA_RETRY_SECONDS": "2", "SITE_URL": proxy.url,
                          "MEDIA_S3_BUCKET": store.bucket, "MEDIA_S3_ENDPOINT_URL": store.url, **store.env})
    replica = Cluster(primary_port=primary.port)
    try:
        started = time.monotonic()
        primary.start()
        # The stack's database exists (migrated, with its rows) before the basebackup copies the
        # whole cluster; what the primary does after reaches the standby by streaming.
        info = st.create_database(PEOPLE)
        replica.start()
        print(f"database and replica ready in {time.monotonic() - started:.1f} s")
        st.env["DATABASE_REPLICA_URL"] = replica.url(dbname)
        st.start(webs=2, workers=2, beat=True)
        proxy.route_to(st.web_ports)
        print(f"stack ready in {time.monotonic() - started:.1f} s")
        yield SimpleNamespace(stack=st, primary=primary, replica=replica, proxy=proxy, sink=sink, store=store,
                              info=info, dbname=dbname, url=proxy.url)
    finally:
        proxy.close()
        st.stop()
        replica.remove()
        primary.remove()
        vhost.delete()
        store.stop()
        sink.controller.stop()
