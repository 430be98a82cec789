"""Recording answers. A response is saved in one transaction with its invitation locked, so a
double submit changes nothing and a change keeps the history. The same transaction hands the
answer on to the closed loop, the rollups and the comment analysis through the outbox
(`responses.outbox`: a row a worker's consumer handles, without the later stages being
imported here); after commit the answer also announces itself in this process
(`response_saved`)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import pgettext

from distribution.models import Invitation
from nps_platform import prepared
from nps_platform.parsing import parse_int
from nps_platform.tokens import token_from_nonce
from organizations.models import Organization
from surveys.models import Survey, SurveyVersion
from surveys.presentation import ShownSurvey, category_for_score

from .models import Channel, Response, ResponseChange, ResponseOutbox
from .outbox import outbox_add, outbox_after_commit

TEXT_LIMIT = 5000
# Control characters (but tab and line breaks) mean nothing in a comment and break exports.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    return text.translate(_CONTROL).strip()
# After commit, in the process that saved the answer: response_id, organization_id, survey_id,
# created_at, created (bool), deleted (bool), time_zone (the organization's, or None when the
# sender did not have it loaded), has_comment. The later stages do not listen here: they take
# the answer from the outbox (responses.outbox.handler_register), which no crash can lose.
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


def _announce(response: Response, created: bool, deleted: bool = False, outboxed: bool = False) -> None:
    """Hands the answer on: its outbox event in the current transaction (unless the INSERT wrote
    it already), and `response_saved` after commit."""
    if not outboxed:
        kind = ResponseOutbox.Kind.DELETED if deleted else ResponseOutbox.Kind.CREATED if created \
            else ResponseOutbox.Kind.CHANGED
        outbox_add(response=response, kind=kind)
    response_id, organization_id = response.pk, response.organization_id
    survey_id, created_at, has_comment = response.survey_id, response.created_at, bool(response.comment)
    # The organization's time zone (for the answer's day) when it is at hand, saving a lookup.
    time_zone = response.organization.time_zone if Response.organization.is_cached(response) else None

    def after_commit():
        response_saved.send(sender=Response, response_id=response_id, organization_id=organization_id,
                            survey_id=survey_id, created_at=created_at, created=created, deleted=deleted,
                            time_zone=time_zone, has_comment=has_comment)
        outbox_after_commit()

    if connection.in_atomic_block:
        transaction.on_commit(after_commit)
    else:  # autocommit: the statement has committed already
        after_commit()


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


class SurveyChanged(Exception):
    """The public link's survey is no longer what the caller read (`if_unchanged`): nothing was saved."""


def public_survey_fingerprint_sql() -> str:
    """Which versions of the public link's survey, organization and current version rows are the
    current ones, for (organization id, token): every change to a row writes a new version of it,
    which has its writer's transaction id (`xmin`) and its own place (`ctid`), so any committed
    change to the three rows is a new fingerprint. No row unless the link is on, the survey not
    archived and the organization active. (Cheaper for the database than an md5 of the rows' text.)"""
    survey, organization = Survey._meta.db_table, Organization._meta.db_table
    version = SurveyVersion._meta.db_table
    return ("SELECT concat_ws(':', s.xmin, s.ctid, o.xmin, o.ctid, v.xmin, v.ctid) AS fp "  # noqa: S608
            f"FROM {survey} s "
            f"JOIN {organization} o ON o.id = s.organization_id LEFT JOIN {version} v ON v.id = s.current_version_id "
            "WHERE s.organization_id = %s AND s.public_token = %s AND s.public_enabled AND s.archived_at IS NULL "
            "AND o.is_active")


@functools.cache
def _first_answer_sql(guarded: bool) -> str:
    """The answer and its outbox event in one statement; `guarded`: only if the survey's
    fingerprint is still the one given (else no row)."""
    response, outbox = Response._meta.db_table, ResponseOutbox._meta.db_table
    values = ("%s::bigint, %s::bigint, %s::bigint, %s::bigint, %s::bigint, %s, %s, %s::smallint, %s, %s::jsonb, "
              "%s, '', %s::timestamptz, %s::timestamptz")
    columns = ("organization_id, survey_id, version_id, department_id, employee_id, channel, language, score, "
               "category, answers, comment, anonymous_key, created_at, updated_at")
    source = f"SELECT {values} FROM s WHERE s.fp = %s" if guarded else f"VALUES ({values})"  # noqa: S608
    insert = f"INSERT INTO {response} ({columns}) {source} RETURNING id"
    head = f"WITH s AS ({public_survey_fingerprint_sql()}), r AS ({insert})" if guarded else f"WITH r AS ({insert})"
    return (f"{head}, o AS (INSERT INTO {outbox} (organization_id, response_id, survey_id, answered_at, kind, "  # noqa: S608
            "has_comment, attempts) SELECT %s, id, %s, %s, %s, %s, 0 FROM r) SELECT id FROM r")


def _first_public_answer(*, survey, version: SurveyVersion, shown: ShownSurvey, submission: Submission,
                         channel: str, department, employee, if_unchanged: str | None = None) -> Response:
    """A browser's first answer. On PostgreSQL one statement writes the answer and its outbox
    event (no transaction to open, no ORM insert to build: the public link's hot path; prepared
    once per connection, nps_platform.prepared), and with
    `if_unchanged` (the survey's fingerprint as the caller read it) checks in the same statement
    that the survey is still that one — raising SurveyChanged, with nothing saved, if not. SQLite
    (the embedded mode) takes the ORM, in a transaction."""
    organization = survey.organization
    now = timezone.now()
    if survey.is_anonymous:  # an employee answer is kept to the day
        now = day_start(now, organization.time_zone)
    response = Response(
        organization=organization, survey=survey, version=version, channel=channel, department=department,
        employee=employee, language=shown.language, score=submission.score,
        category=category_for_score(submission.score), answers=submission.answers,
        comment=_comment(shown, submission.answers), created_at=now, updated_at=now)
    if connection.vendor != "postgresql":
        with transaction.atomic():
            response.save()
            if survey.is_anonymous:
                _blur_times(response, organization.time_zone)
            _announce(response, created=True)
        return response
    guard = [organization.pk, survey.public_token] if if_unchanged else []
    row = prepared.fetch_one(_first_answer_sql(bool(if_unchanged)), [
        *guard, organization.pk, survey.pk, version.pk, response.department_id, response.employee_id, channel,
        response.language, response.score, response.category, json.dumps(response.answers),
        response.comment, now, now, *([if_unchanged] if if_unchanged else []),
        organization.pk, survey.pk, now, ResponseOutbox.Kind.CREATED, bool(response.comment)])
    if row is None:
        raise SurveyChanged
    response.pk = row[0]
    response._state.adding = False
    response._state.db = connection.alias
    _announce(response, created=True, outboxed=True)
    return response


def response_record_public(*, survey, version: SurveyVersion, shown: ShownSurvey, submission: Submission,
                           channel: str, department=None, employee=None, previous: Response | None = None,
                           score_only: bool = False, if_unchanged: str | None = None) -> tuple[Response, bool]:
    """A response from the survey's public link. `previous` is this browser's earlier response
    (from its signed cookie): it is updated rather than counted twice. `if_unchanged`: the
    survey's fingerprint (public_survey_fingerprint_sql) as the caller read it; a first answer is
    saved only if it still is (else SurveyChanged, nothing saved)."""
    if survey.is_anonymous:
        employee = None  # an employee answer names nobody, whatever the link asked
    if previous is None:
        if score_only:
            submission = Submission(score=submission.score)
        return _first_public_answer(survey=survey, version=version, shown=shown, submission=submission,
                                    channel=channel, department=department or (employee.department if employee
                                                                               else None), employee=employee,
                                    if_unchanged=if_unchanged), True
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
