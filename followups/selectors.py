"""Reads for the closed loop: the case inbox with its counts, and the KPIs the dashboards show."""

from __future__ import annotations

import statistics

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from organizations.models import User
from responses.models import Response

from .models import Case

VIEWS = ("mine", "open", "overdue", "closed", "all")


def case_inbox(*, view: str, user: User, department: str = "", category: str = "") -> QuerySet[Case]:
    qs = Case.objects.select_related("response__survey", "response__contact", "owner", "department")
    now = timezone.now()
    if view == "mine":
        qs = qs.filter(owner=user, status__in=Case.OPEN)
    elif view == "open":
        qs = qs.filter(status__in=Case.OPEN)
    elif view == "overdue":
        qs = qs.filter(status__in=Case.OPEN, due_at__lt=now)
    elif view == "closed":
        qs = qs.exclude(status__in=Case.OPEN)
    if department.isdigit():
        qs = qs.filter(department_id=department)
    if category in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    return qs.order_by("due_at") if view != "closed" else qs.order_by("-closed_at")


def case_counts(*, user: User) -> dict:
    now = timezone.now()
    return Case.objects.aggregate(
        mine=Count("pk", filter=Q(owner=user, status__in=Case.OPEN)),
        open=Count("pk", filter=Q(status__in=Case.OPEN)),
        overdue=Count("pk", filter=Q(status__in=Case.OPEN, due_at__lt=now)),
        closed=Count("pk", filter=~Q(status__in=Case.OPEN)),
        all=Count("pk"),
    )


def closed_loop_kpis(*, since=None, until=None, detractors: int | None = None) -> dict:
    """Share of detractors followed up, median hours to first action and to close, overdue now.
    A caller that knows the number of detractors in the period (the dashboard, from its rollups)
    passes it, and no answer is counted here."""
    cases = Case.objects.all()
    if since is not None:
        cases = cases.filter(created_at__gte=since)
    if until is not None:
        cases = cases.filter(created_at__lt=until)
    if detractors is None:
        qs = Response.objects.filter(category="detractor")
        if since is not None:
            qs = qs.filter(created_at__gte=since)
        if until is not None:
            qs = qs.filter(created_at__lt=until)
        detractors = qs.count()
    followed = cases.filter(category="detractor", first_action_at__isnull=False).count()
    total = detractors
    first = [(c.first_action_at - c.created_at).total_seconds() / 3600
             for c in cases.exclude(first_action_at=None).only("created_at", "first_action_at")]
    closing = [(c.closed_at - c.created_at).total_seconds() / 3600
               for c in cases.exclude(closed_at=None).only("created_at", "closed_at")]
    return {
        "detractors": total,
        "detractors_followed_up": followed,
        "followed_up_share": round(100 * followed / total) if total else None,
        "median_hours_to_first_action": round(statistics.median(first), 1) if first else None,
        "median_hours_to_close": round(statistics.median(closing), 1) if closing else None,
        "overdue": cases.filter(status__in=Case.OPEN, due_at__lt=timezone.now()).count(),
    }


def contact_history(*, case: Case) -> QuerySet[Response]:
    """The contact's other answers, for the case page (none for anonymous surveys)."""
    response = case.response
    if response.survey.is_anonymous or response.contact_id is None:
        return Response.objects.none()
    return Response.objects.filter(contact_id=response.contact_id).exclude(pk=response.pk) \
        .select_related("survey").order_by("-created_at")[:20]
