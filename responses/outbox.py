"""The answers' outbox: how a saved answer reaches the closed loop, the rollups and the comment
analysis without a task per answer (queuing one was a third of a public answer's CPU).

Every write of an answer — created, changed or deleted, on any path (public link, personal link,
the score saved alone, erasure) — adds a `ResponseOutbox` row in the same transaction. In every
Celery worker a consumer thread (`OutboxConsumer`, started with the worker) claims due rows in
batches (`FOR UPDATE SKIP LOCKED`, so several workers share them) and calls the handlers the
later stages registered (`handler_register`), each organization's events in a savepoint and its
tenant context; the rows it handled are deleted in the same transaction. A worker killed
mid-batch rolls that transaction back and the rows are claimed again; the handlers' unique rows
(one alert per rule and response, one case per response, one analysis per response) make the
repeat harmless. When a handler fails for an organization its events are tried one by one, and
the ones that still fail wait (`OUTBOX_RETRY_SECONDS`, doubling) while everyone else's go on.

When it has nothing to do the consumer sleeps until PostgreSQL's NOTIFY (sent by the next
answer's trigger, because the consumer said it waits: migration responses.0004) or for at most
`OUTBOX_POLL_SECONDS` (SQLite, the embedded mode, only polls). With tasks run inline (Celery's
eager mode: the tests) there is no worker, so the outbox is drained inline after commit."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.db.utils import load_backend
from django.utils import timezone

from nps_platform.celery import app
from nps_platform.tenancy import tenant_context
from organizations.models import Organization

from .models import ResponseOutbox

log = logging.getLogger(__name__)
CHANNEL = "responses_outbox"  # the NOTIFY channel (migration responses.0004)
BATCH = 100
RETRY_MAX_SECONDS = 3600  # a failed event waits OUTBOX_RETRY_SECONDS, doubling per attempt, up to this
MAX_ATTEMPTS = 30  # about a day of hourly retries, then it is dropped (logged as an error)

Kind = ResponseOutbox.Kind


@dataclass(frozen=True)
class OutboxEvent:
    response_id: int
    organization_id: int
    survey_id: int
    answered_at: dt.datetime  # the answer's created_at: its (survey, day) slice
    kind: int  # ResponseOutbox.Kind
    has_comment: bool

    @property
    def created(self) -> bool:
        return self.kind == Kind.CREATED

    @property
    def deleted(self) -> bool:
        return self.kind == Kind.DELETED


# name → handler(*, organization, events): the later stages register theirs in AppConfig.ready
# (through their receivers modules), so this stage imports none of them.
_handlers: dict[str, Callable[..., None]] = {}


def handler_register(name: str, handler: Callable[..., None]) -> None:
    """`handler(organization=…, events=[OutboxEvent, …])` runs for every batch of an organization's
    answer events, in its tenant context and inside the transaction that deletes the events: rows it
    writes commit with them, work it queues with `transaction.on_commit` goes once they are
    committed. It must be safe to run twice for the same events (a worker may die before the
    commit). Events are one per answer per batch: a created-then-changed answer comes once, as
    changed."""
    _handlers[name] = handler


# --- Writing ------------------------------------------------------------------------------------

def outbox_add(*, response, kind: int) -> None:
    """Adds the answer's event; call inside the transaction that writes the answer."""
    ResponseOutbox.objects.create(
        organization_id=response.organization_id, response_id=response.pk, survey_id=response.survey_id,
        answered_at=response.created_at, kind=kind, has_comment=bool(response.comment))


def outbox_after_commit() -> None:
    """Called once an answer's transaction has committed. A worker is woken by the NOTIFY (or
    polls); in eager mode (no worker) the outbox is handled here, inline."""
    if app.conf.task_always_eager:
        outbox_drain()


# --- Handling -----------------------------------------------------------------------------------

def _collapse(rows: list[dict]) -> list[OutboxEvent]:
    """One event per answer: deleted if it was deleted, created if every event was a creation,
    else changed (the handlers read the answer's state as it is now)."""
    by_response: dict[int, list[dict]] = {}
    for row in rows:
        by_response.setdefault(row["response_id"], []).append(row)
    events = []
    for response_id, group in by_response.items():
        kinds = {row["kind"] for row in group}
        kind = Kind.DELETED if Kind.DELETED in kinds else Kind.CREATED if kinds == {Kind.CREATED} else Kind.CHANGED
        last = group[-1]
        events.append(OutboxEvent(response_id=response_id, organization_id=last["organization_id"],
                                  survey_id=last["survey_id"], answered_at=last["answered_at"], kind=kind,
                                  has_comment=any(row["has_comment"] for row in group)))
    return events


def _handle(organization: Organization, events: list[OutboxEvent]) -> None:
    with tenant_context(organization), transaction.atomic():  # a savepoint: a failure undoes only this
        for handler in list(_handlers.values()):
            handler(organization=organization, events=events)


def _handle_organization(organization: Organization | None, rows: list[dict]) -> tuple[list[int], list[int]]:
    """Returns (handled row ids, failed row ids)."""
    ids = [row["id"] for row in rows]
    if organization is None:  # deleted meanwhile (its answers went with it)
        return ids, []
    try:
        _handle(organization, _collapse(rows))
        return ids, []
    except Exception:
        log.exception("Outbox handlers failed for organization %s; trying its %d events one by one",
                      organization.pk, len(rows))
    done, failed = [], []
    for row in rows:  # one answer's bad data must not hold back the organization's other answers
        try:
            _handle(organization, _collapse([row]))
            done.append(row["id"])
        except Exception:
            log.exception("Outbox handlers failed for response %s (organization %s); retried later",
                          row["response_id"], organization.pk)
            failed.append(row["id"])
    return done, failed


def _retry_later(rows: list[dict]) -> None:
    give_up = [row["id"] for row in rows if row["attempts"] + 1 >= MAX_ATTEMPTS]
    if give_up:
        log.error("Outbox events %s failed %d times: dropped", give_up, MAX_ATTEMPTS)
    unscoped = ResponseOutbox.objects.dangerously_unscoped()
    unscoped.filter(pk__in=give_up).delete()
    now = timezone.now()
    for row in rows:
        if row["id"] in give_up:
            continue
        wait = min(RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_SECONDS * 2 ** row["attempts"])
        unscoped.filter(pk=row["id"]).update(due_at=now + dt.timedelta(seconds=wait), attempts=F("attempts") + 1)


def outbox_claim_and_handle(*, batch: int = BATCH) -> int:
    """One batch: claims up to `batch` due events (skipping those another worker holds), runs the
    handlers, deletes what was handled and puts off what failed — all in one transaction.
    Returns how many events were claimed."""
    with transaction.atomic():
        rows = list(ResponseOutbox.objects.dangerously_unscoped().filter(due_at__lte=Now())
                    .order_by("due_at", "id").select_for_update(skip_locked=True)
                    .values("id", "organization_id", "response_id", "survey_id", "answered_at", "kind",
                            "has_comment", "attempts")[:batch])
        if not rows:
            return 0
        by_organization: dict[int, list[dict]] = {}
        for row in rows:
            by_organization.setdefault(row["organization_id"], []).append(row)
        organizations = Organization.objects.in_bulk(list(by_organization))
        done, failed = [], []
        for organization_id, group in by_organization.items():
            handled, not_handled = _handle_organization(organizations.get(organization_id), group)
            done += handled
            failed += not_handled
        ResponseOutbox.objects.dangerously_unscoped().filter(pk__in=done).delete()
        if failed:
            failed_ids = set(failed)
            _retry_later([row for row in rows if row["id"] in failed_ids])
    return len(rows)


def outbox_drain(*, batch: int = BATCH, max_batches: int = 1000) -> int:
    """Handles batches until no event is due (or `max_batches`); returns how many were claimed."""
    total = 0
    for _ in range(max_batches):
        claimed = outbox_claim_and_handle(batch=batch)
        total += claimed
        if claimed < batch:
            break
    return total


# --- The consumer in each worker ------------------------------------------------------------------

def _own_connection():
    """A connection for the consumer's thread outside any pool: the worker's main process forks
    its pool processes, which must not inherit a pool holding this thread's connection. On SQLite
    its transactions take the write lock when they begin (a claim writes): a transaction that read
    first and then wants to write while another writes fails at once ("database is locked") instead
    of waiting its turn."""
    settings_dict = {**connections.settings[DEFAULT_DB_ALIAS]}
    options = {k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    if settings_dict["ENGINE"].endswith("sqlite3"):
        options = {"timeout": 20, **options, "transaction_mode": "IMMEDIATE"}
    settings_dict["OPTIONS"] = options
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)


# "A consumer sleeps": the next answer's trigger sends NOTIFY (and clears the mark). No write when
# it is set already (an idle consumer comes here every `poll` seconds).
_WAITING_SQL = ("INSERT INTO responses_outbox_wake (id, waiting) VALUES (1, true) "
                "ON CONFLICT (id) DO UPDATE SET waiting = true WHERE NOT responses_outbox_wake.waiting")


class OutboxConsumer(threading.Thread):
    """Waits for NOTIFY responses_outbox (PostgreSQL) or polls (SQLite), and drains the outbox."""

    def __init__(self, poll: float | None = None):
        super().__init__(name="responses-outbox", daemon=True)
        self.poll = settings.OUTBOX_POLL_SECONDS if poll is None else poll
        self._stopping = threading.Event()
        self._listening_on = None

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    def _wait(self) -> None:
        """Until a notification arrives or `poll` seconds have passed. On PostgreSQL the consumer
        first marks itself waiting, so the next answer's trigger sends the notification (only
        then: migration responses.0004), and looks once more for what came meanwhile."""
        if connection.vendor != "postgresql":
            self._stopping.wait(self.poll)
            return
        connection.ensure_connection()
        raw = connection.connection
        with connection.cursor() as cursor:
            if raw is not self._listening_on:  # a new connection (the first, or after a failure)
                cursor.execute(f"LISTEN {CHANNEL}")
                self._listening_on = raw
            cursor.execute(_WAITING_SQL)
        if ResponseOutbox.objects.dangerously_unscoped().filter(due_at__lte=Now()).exists():
            return
        for _notification in raw.notifies(timeout=self.poll, stop_after=1):
            pass  # the notifications received so far are taken at once

    def run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = _own_connection()
        try:
            while not self._stopping.is_set():
                try:
                    outbox_drain()  # first what is due already (answers made while no worker ran)
                    if not self._stopping.is_set():
                        self._wait()
                except Exception:
                    log.exception("The responses outbox consumer failed; retrying in a second")
                    connection.close()
                    self._listening_on = None
                    self._stopping.wait(1.0)
        finally:
            connection.close()


_consumer: OutboxConsumer | None = None


def consumer_start(**_kwargs) -> None:
    """celery's worker_ready: this worker starts handling the outbox."""
    global _consumer
    if not settings.OUTBOX_CONSUMER or (_consumer is not None and _consumer.is_alive()):
        return
    _consumer = OutboxConsumer()
    _consumer.start()


def consumer_stop(**_kwargs) -> None:
    """celery's worker_shutdown: the batch in hand is finished (or rolled back by the exit)."""
    global _consumer
    if _consumer is not None:
        _consumer.stop()
        _consumer = None
