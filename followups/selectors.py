"""Reads for the closed loop, through `organizations.access`: the case inbox with its counts,
a case's contact history, and the KPIs the dashboards show."""

from __future__ import annotations

import statistics

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from organizations import access
from organizations.access import Actor
from responses.models import Response

from .models import Case, Webhook

VIEWS = ("mine", "open", "overdue", "closed", "all")


def visible_case_list(*, actor: Actor) -> QuerySet[Case]:
    return access.visible_cases(actor, Case.objects.all())


def case_inbox(*, actor: Actor, view: str, department: str = "", category: str = "") -> QuerySet[Case]:
    qs = visible_case_list(actor=actor).select_related("response__survey", "response__contact", "owner",
                                                       "department")
    now = timezone.now()
    if view == "mine":
        qs = qs.filter(owner_id=actor.user_id, status__in=Case.OPEN)
    elif view == "open":
        qs = qs.filter(status__in=Case.OPEN)
    elif view == "overdue":
        qs = qs.filter(status__in=Case.OPEN, due_at__lt=now)
    elif view == "closed":
        qs = qs.exclude(status__in=Case.OPEN)
    if department.isascii() and department.isdigit() and len(department) < 19:
        qs = qs.filter(department_id=department)
    if category in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    return qs.order_by("due_at", "pk") if view != "closed" else qs.order_by("-closed_at", "-pk")


def case_counts(*, actor: Actor) -> dict:
    now = timezone.now()
    return visible_case_list(actor=actor).aggregate(
        mine=Count("pk", filter=Q(owner_id=actor.user_id, status__in=Case.OPEN)),
        open=Count("pk", filter=Q(status__in=Case.OPEN)),
        overdue=Count("pk", filter=Q(status__in=Case.OPEN, due_at__lt=now)),
        closed=Count("pk", filter=~Q(status__in=Case.OPEN)),
        all=Count("pk"),
    )


def closed_loop_kpis(*, actor: Actor, responses: QuerySet[Response] | None = None,
                     detractors: int | None = None) -> dict:
    """For the answers in `responses` (the dashboard's: its filters, period and the reader's
    departments; by default every answer the actor may see): the share of their detractors
    followed up, median hours to first action and to close, and their cases overdue now. Both
    sides of the share count the same answers, so it never passes 100 %. A caller that knows the
    number of detractors (the dashboard, from its rollups) passes it."""
    if responses is None:
        responses = access.visible_responses(actor, Response.objects.all())
    cases = access.visible_cases(actor, Case.objects.filter(response__in=responses.values("pk")))
    if detractors is None:
        detractors = responses.filter(category="detractor").count()
    followed = cases.filter(response__category="detractor", first_action_at__isnull=False).count()
    followed = min(followed, detractors)  # rollup counts may trail the answers by a few seconds
    first = [(c.first_action_at - c.created_at).total_seconds() / 3600
             for c in cases.exclude(first_action_at=None).only("created_at", "first_action_at")]
    closing = [(c.closed_at - c.created_at).total_seconds() / 3600
               for c in cases.exclude(closed_at=None).only("created_at", "closed_at")]
    return {
        "detractors": detractors,
        "detractors_followed_up": followed,
        "followed_up_share": round(100 * followed / detractors) if detractors else None,
        "median_hours_to_first_action": round(statistics.median(first), 1) if first else None,
        "median_hours_to_close": round(statistics.median(closing), 1) if closing else None,
        "overdue": cases.filter(status__in=Case.OPEN, due_at__lt=timezone.now()).count(),
    }


def contact_history(*, actor: Actor, case: Case) -> QuerySet[Response]:
    """The contact's other answers the actor may see, for the case page (none for anonymous
    surveys, none for readers who may not see people)."""
    response = case.response
    if response.survey.is_anonymous or response.contact_id is None or not access.may_see_people(actor):
        return Response.objects.none()
    return access.answer_rows(actor, Response.objects.filter(contact_id=response.contact_id)) \
        .exclude(pk=response.pk).select_related("survey").order_by("-created_at")[:20]


def case_list(*, actor: Actor, status: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The API's cases: the ones the reader may see, of one status, or only the overdue ones."""
    qs = visible_case_list(actor=actor).select_related("owner")
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=Case.OPEN, due_at__lt=timezone.now())
    return qs


def webhook_list() -> QuerySet[Webhook]:
    return Webhook.objects.order_by("id")
