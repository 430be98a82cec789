"""Recording answers. A response is saved in one transaction with its invitation locked, so a
double submit changes nothing and a change keeps the history; after commit it announces itself
(`response_saved`) for the closed loop and the rollups, which listen without being imported."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import pgettext

from distribution.models import Invitation
from nps_platform.parsing import parse_int
from nps_platform.tokens import token_from_nonce
from surveys.models import SurveyVersion
from surveys.presentation import ShownSurvey, category_for_score

from .models import Channel, Response, ResponseChange

TEXT_LIMIT = 5000
# Control characters (but tab and line breaks) mean nothing in a comment and break exports.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_CONTROL).strip()
# After commit: response_id, organization_id, survey_id, created_at, created (bool), deleted (bool),
# time_zone (the organization's, or None when the sender did not have it loaded)
response_saved = Signal()


@dataclass
class Submission:
    score: int | None = None
    answers: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def submission_parse(*, data, shown: ShownSurvey) -> Submission:
    """Reads the posted form against the questions shown; errors are in the respondent's
    language (the caller has activated it)."""
    sub = Submission()
    score = parse_int(data.get("score"), 0, 10)
    if score is not None:
        sub.score = score
    else:
        sub.errors.append(pgettext("respondent", "Please choose a score from 0 to 10."))
    for q in shown.follow_ups:
        name = f"q-{q.key}"
        if q.type == "text":
            value = _clean(data.get(name) or "")
            if len(value) > TEXT_LIMIT:
                sub.errors.append(pgettext("respondent", "Your answer to “%(question)s” is too long: at most "
                                                         "%(limit)d characters.") % {"question": q.text,
                                                                                      "limit": TEXT_LIMIT})
            elif value:
                sub.answers[q.key] = value
        elif q.type == "csat":
            value = (data.get(name) or "").strip()
            if value in {"1", "2", "3", "4", "5"}:
                sub.answers[q.key] = int(value)
        else:
            valid = {c.key for c in q.choices} | ({"__other__"} if q.allow_other else set())
            values = [v for v in (data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]) if v]
            if q.type == "single_choice":
                values = values[:1]
            if any(v not in valid for v in values):
                sub.errors.append(pgettext("respondent", "Please choose one of the options."))
                continue
            if values:
                answer: dict = {"choices": values}
                other = _clean(data.get(f"{name}-other") or "")[:200]
                if "__other__" in values and other:
                    answer["other"] = other
                sub.answers[q.key] = answer
        if q.required and q.key not in sub.answers:
            sub.errors.append(pgettext("respondent", "Please answer: %(question)s") % {"question": q.text})
    return sub


def _comment(shown: ShownSurvey, answers: dict) -> str:
    first_text = next((q.key for q in shown.follow_ups if q.type == "text"), None)
    return answers.get(first_text, "") if first_text else ""


# --- Employee answers: no link to the person ------------------------------------------------------

def anonymous_key(invitation: Invitation) -> str:
    """What an employee answer is found by from its respondent's own link: an HMAC of the link
    under SECRET_KEY. The database holds neither the link nor the secret, so a copy of it cannot
    tell which invitation (and so which employee) an answer came from."""
    link = token_from_nonce(organization_id=invitation.organization_id, nonce=invitation.token_nonce)
    return hmac.new(settings.SECRET_KEY.encode(), f"anonymous-answer:{link}".encode(), hashlib.sha256).hexdigest()


def day_start(moment: dt.datetime, time_zone: str) -> dt.datetime:
    """The start of the moment's day in the organization's zone: the finest time an employee
    answer (and its invitation's "answered" and "opened" marks) is kept with."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def invitation_response(invitation: Invitation) -> Response | None:
    """The answer given through this invitation's link, if any (an employee answer by its key)."""
    if invitation.survey.is_anonymous:
        return Response.objects.filter(anonymous_key=anonymous_key(invitation)).first()
    return Response.objects.filter(invitation=invitation).first()


def invitation_opened(invitation: Invitation) -> None:
    """Marks the first opening of a personal link (to the day for an employee survey)."""
    now = timezone.now()
    if invitation.survey.is_anonymous:
        now = day_start(now, invitation.organization.time_zone)
    Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)


def _blur_times(response: Response, time_zone: str) -> None:
    day = day_start(response.created_at, time_zone)
    Response.objects.filter(pk=response.pk).update(created_at=day, updated_at=day)
    response.created_at = response.updated_at = day


def _update(response: Response, *, version: SurveyVersion, shown: ShownSurvey, submission: Submission) -> bool:
    """Applies a later submission to a response, keeping the earlier state (not for an employee
    answer, whose history would only date it); False if nothing changed (a double submit)."""
    if response.score == submission.score and response.answers == submission.answers:
        return False
    anonymous = bool(response.anonymous_key) or response.survey.is_anonymous
    if not anonymous:
        ResponseChange.objects.create(organization=response.organization, response=response,
                                      score=response.score, answers=response.answers)
    response.score, response.category = submission.score, category_for_score(submission.score)
    response.answers, response.version = submission.answers, version
    response.comment = _comment(shown, submission.answers)
    response.language = shown.language
    response.save()
    if anonymous:
        _blur_times(response, response.organization.time_zone)
    return True


def _announce(response: Response, created: bool, deleted: bool = False) -> None:
    response_id, organization_id = response.pk, response.organization_id
    survey_id, created_at, has_comment = response.survey_id, response.created_at, bool(response.comment)
    # The organization's time zone (for the answer's day) when it is at hand, saving a lookup.
    time_zone = response.organization.time_zone if Response.organization.is_cached(response) else None
    transaction.on_commit(lambda: response_saved.send(
        sender=Response, response_id=response_id, organization_id=organization_id, survey_id=survey_id,
        created_at=created_at, created=created, deleted=deleted, time_zone=time_zone, has_comment=has_comment))


@transaction.atomic
def response_delete(*, response: Response) -> None:
    """Removes an answer altogether (spam, a test); the rollups follow."""
    _announce(response, created=False, deleted=True)
    response.delete()


def response_record(*, invitation: Invitation, version: SurveyVersion, shown: ShownSurvey,
                    submission: Submission, score_only: bool = False) -> tuple[Response, bool]:
    """Creates the invitation's response, or updates it keeping the earlier state. Returns the
    response and whether anything changed. `score_only` (the page saving a score the moment it
    is chosen) leaves any answers already given as they are."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("survey", "organization").get(pk=invitation.pk)
        response = invitation_response(locked)
        if score_only:
            submission = Submission(score=submission.score, answers=response.answers if response else {})
        if response is not None:
            changed = _update(response, version=version, shown=shown, submission=submission)
            if changed:
                _announce(response, created=False)
            return response, changed
        anonymous = locked.survey.is_anonymous or version.definition.get("anonymous", False)
        contact, employee = locked.contact, locked.employee
        response = Response.objects.create(
            organization=locked.organization, survey_id=locked.survey_id, version=version,
            invitation=None if anonymous else locked, anonymous_key=anonymous_key(locked) if anonymous else "",
            contact=None if anonymous else contact,
            employee=None if anonymous or employee else (contact.employee if contact else None),
            department=(employee.department if employee else contact.department if contact else None),
            channel=Channel.EMAIL, language=shown.language, score=submission.score,
            category=category_for_score(submission.score), answers=submission.answers,
            comment=_comment(shown, submission.answers),
        )
        locked.responded_at = timezone.now()
        if anonymous:
            _blur_times(response, locked.organization.time_zone)
            locked.responded_at = response.created_at
        locked.save(update_fields=["responded_at"])
        _announce(response, created=True)
    return response, True


def response_record_public(*, survey, version: SurveyVersion, shown: ShownSurvey, submission: Submission,
                           channel: str, department=None, employee=None, previous: Response | None = None,
                           score_only: bool = False) -> tuple[Response, bool]:
    """A response from the survey's public link. `previous` is this browser's earlier response
    (from its signed cookie): it is updated rather than counted twice."""
    if survey.is_anonymous:
        employee = None  # an employee answer names nobody, whatever the link asked
    if previous is None:  # a first answer is one INSERT: no transaction to open around it
        if score_only:
            submission = Submission(score=submission.score)
        response = Response.objects.create(
            organization=survey.organization, survey=survey, version=version, channel=channel,
            department=department or (employee.department if employee else None), employee=employee,
            language=shown.language, score=submission.score,
            category=category_for_score(submission.score), answers=submission.answers,
            comment=_comment(shown, submission.answers),
        )
        if survey.is_anonymous:
            _blur_times(response, survey.organization.time_zone)
        _announce(response, created=True)
        return response, True
    with transaction.atomic():
        previous = Response.objects.select_for_update().filter(pk=previous.pk, survey=survey).first()
        if previous is None:  # erased meanwhile: this browser answers afresh
            return response_record_public(survey=survey, version=version, shown=shown, submission=submission,
                                          channel=channel, department=department, employee=employee,
                                          score_only=score_only)
        if score_only:
            submission = Submission(score=submission.score, answers=previous.answers)
        changed = _update(previous, version=version, shown=shown, submission=submission)
        moved = False  # a new department or employee changes the breakdowns, not the answer
        for name, value in (("department", department), ("employee", employee)):
            if value is not None and getattr(previous, f"{name}_id") != value.pk:
                setattr(previous, name, value)
                previous.save(update_fields=[name])
                moved = True
        if changed or moved:
            _announce(previous, created=False)
        return previous, changed or moved
