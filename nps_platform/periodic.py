"""Periodic work across tenants (the minute ticks, hourly reports, digests): each organization,
and inside it each campaign or subscription, runs on its own, so one tenant's bad data is
logged against that tenant and never stops the others' work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, transaction

from .tenancy import tenant_context

log = logging.getLogger(__name__)

T = TypeVar("T")


@contextmanager
def isolated():
    """One unit of periodic work. Inside a transaction (a test, a caller's atomic block) it is a
    savepoint, so a failing statement rolls back this unit only; in autocommit (a worker) the
    unit's own transactions commit as they go, so what it already did (a mail sent and
    recorded) stays recorded when a later step fails."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
    else:
        yield


def each_organization(organizations: Iterable, work: Callable[..., T], *, task: str) -> list[T]:
    """work(organization) for each organization, in its tenant context: a failure is logged with
    the organization's id and the next organization goes on."""
    results = []
    for organization in organizations:
        try:
            with tenant_context(organization), isolated():
                results.append(work(organization))
        except Exception:
            log.exception("%s failed for organization %s; the others go on", task, organization.pk)
    return results


@contextmanager
def unit(what: str, ident) -> None:
    """`with unit("case reminder", case.pk): …` — one item of a periodic loop: a failure is
    rolled back (savepoint, see `isolated`), logged with the item's id, and the loop goes on."""
    try:
        with isolated():
            yield
    except Exception:
        log.exception("%s %s failed; the others go on", what, ident)
