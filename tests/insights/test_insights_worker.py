"""A real answer is analysed by a real worker within seconds of being saved (the post-answer
path: response_saved → insights.comment_analyse)."""

from __future__ import annotations

import time

import pytest

from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.worker


def test_a_saved_answer_is_analysed_by_the_worker(make_org, celery_worker_factory, monkeypatch):
    from insights.models import CommentAnalysis
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown
    from tests.dashboards.conftest import published

    # the worker reads with the lexicons alone: the same path, without loading the embedding
    # model into a fresh process (the model's own tests are the engine's)
    monkeypatch.setenv("INSIGHTS_EMBEDDINGS", "off")
    celery_worker_factory()
    organization, owner = make_org("Værkstedet ApS")
    survey = published(organization, owner, name="Kunder", languages=("da",))
    definition = survey.current_version.definition
    key = next(q["key"] for q in definition["questions"] if q.get("type") == "text")
    with tenant_context(organization):
        response, _ = response_record_public(
            survey=survey, version=survey.current_version, channel="link",
            shown=survey_shown(definition=definition, language="da", category="detractor"),
            submission=Submission(score=1, answers={key: "Elendig service, leveringen var alt for sen"}))
    deadline = time.monotonic() + 30
    analysis = None
    while time.monotonic() < deadline and analysis is None:
        with tenant_context(organization):
            analysis = CommentAnalysis.objects.filter(response=response).first()
        time.sleep(0.2)
    assert analysis is not None, "the worker did not analyse the answer"
    assert analysis.sentiment == "negative"
