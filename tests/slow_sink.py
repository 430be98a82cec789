"""An aiosmtpd sink on 127.0.0.1 that takes `delay` seconds per message, so a worker killed
mid-campaign dies mid-batch (tests/distribution/test_sending_faults.py, tests/scale)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes, policy

from tests.conftest import free_port


class SlowSink:
    def __init__(self, delay: float):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                await asyncio.sleep(delay)
                with sink._lock:
                    sink.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def wait_for(self, until: int | Callable[[list], bool], timeout: float = 30.0) -> list:
        """Waits until `until` messages have arrived (or `until(messages)` holds), or `timeout`."""
        check = until if callable(until) else (lambda messages: len(messages) >= until)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if check(self.messages):
                    break
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)

    def to(self, prefix: str = "") -> Counter:
        """Messages per recipient (those whose address starts with `prefix`)."""
        with self._lock:
            return Counter(m["To"] for m in self.messages if m["To"].startswith(prefix))

    recipients = to
