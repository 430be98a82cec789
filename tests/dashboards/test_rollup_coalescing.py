"""A busy survey day is recounted once per ROLLUP_REFRESH_DELAY, not once per answer (each
recount reads the whole day): answers inside the window share one queued refresh, which a real
worker runs after the window; the rollups then equal a recount, and an answer after the window
gets a refresh of its own. The answers reach the worker through the outbox: nothing is queued
per answer."""

from __future__ import annotations

import json
import time

import pytest
import redis
from django.conf import settings as django_settings

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import recount, rollup_rows
from tests.distribution.conftest import published_survey  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DELAY = 2


def queued_task_names(queue: str) -> list[str]:
    """The names of the tasks waiting in the broker's queue (Celery's message headers)."""
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    return sorted(json.loads(message)["headers"]["task"] for message in broker.lrange(queue, 0, -1))


def answer(organization, survey, score: int) -> None:
    from responses.services import Submission, response_record_public
    from surveys.presentation import category_for_score, survey_shown

    with tenant_context(organization):
        version = survey.current_version
        shown = survey_shown(definition=version.definition, language="en", category=category_for_score(score))
        response_record_public(survey=survey, version=version, shown=shown, channel="link",
                               submission=Submission(score=score, answers={"reason": f"Score {score}"}))


def wait_for_rollups(organization, expected_answers: int, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = rollup_rows(organization)
        if sum(sum(row[:11]) for key, row in rows.items() if key[2] == "all") == expected_answers:
            return rows
        time.sleep(0.2)
    pytest.fail(f"the rollups did not reach {expected_answers} answers within {timeout} s: {rows}")


def refreshes_received(worker) -> int:
    """How many rollup recounts the worker has taken (its log names each task it receives)."""
    return sum(1 for line in worker.log_path.read_text().splitlines()
               if "dashboards.rollup_refresh[" in line and "received" in line)


def test_answers_within_the_window_share_one_recount(make_org, published_survey, celery_worker_factory,  # noqa: F811
                                                     settings):
    settings.ROLLUP_REFRESH_DELAY = DELAY
    organization, owner = make_org("Travl butik")
    survey = published_survey(organization, owner, languages=("en",))
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 2, 10, 9]

    answer(organization, survey, 5)
    # No worker yet: nothing is queued, not even a follow-up (the answer waits in the outbox).
    assert queued_task_names(celery_worker_factory.queue) == []
    worker = celery_worker_factory()  # takes the waiting answer at once, and each later one as it comes
    # The waiting answer's recount (at once if the worker took longer than the window to start,
    # else after it) is done before the window under test opens.
    assert wait_for_rollups(organization, 1) == recount(organization)
    time.sleep(DELAY + 0.5)
    before = refreshes_received(worker)
    assert before == 1
    started = time.monotonic()
    for score in scores:
        answer(organization, survey, score)
        time.sleep(0.05)  # one by one, so the worker takes them in several batches
    assert time.monotonic() - started < DELAY, "the machine is too slow for this window"
    rows = wait_for_rollups(organization, len(scores) + 1)
    assert rows == recount(organization)
    assert refreshes_received(worker) == before + 1

    # After the window, the next answer schedules its own refresh.
    time.sleep(DELAY + 0.5)
    answer(organization, survey, 0)
    assert wait_for_rollups(organization, len(scores) + 2) == recount(organization)
    assert refreshes_received(worker) == before + 2


def test_without_a_delay_every_batch_is_recounted_at_once(make_org, published_survey,  # noqa: F811
                                                          celery_worker_factory, settings):
    settings.ROLLUP_REFRESH_DELAY = 0
    organization, owner = make_org("Rolig butik")
    survey = published_survey(organization, owner, languages=("en",))
    worker = celery_worker_factory()
    for score in (9, 5, 10):
        answer(organization, survey, score)
        time.sleep(0.5)
    assert wait_for_rollups(organization, 3, timeout=10) == recount(organization)
    assert 1 <= refreshes_received(worker) <= 3  # one per batch the worker took, none waiting for a window
