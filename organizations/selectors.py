"""Reads for organizations: the department tree, member and employee lists, the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import AuditLogEntry, Department, Employee, MemberInvitation, Membership, User


@dataclass(frozen=True)
class TreeNode:
    department: Department
    depth: int
    employee_count: int


def department_tree() -> list[TreeNode]:
    """Depth-first, children sorted by name, with each department's direct employee count."""
    departments = list(Department.objects.annotate(n=Count("employees")).order_by("name"))
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    out: list[TreeNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for d in children.get(parent_id, []):
            out.append(TreeNode(d, depth, d.n))
            walk(d.pk, depth + 1)

    walk(None, 0)
    return out


def department_list() -> QuerySet[Department]:
    """Every department of the organization, by name (the API's flat list; the tree is above)."""
    return Department.objects.order_by("name")


def member_user_by_email(*, email: str) -> User | None:
    """The user behind the organization's member with this email (any case), or None."""
    membership = Membership.objects.filter(user__email__iexact=email).select_related("user").first()
    return membership.user if membership is not None else None


def department_path(department: Department) -> str:
    parts, node = [], department
    while node is not None:
        parts.append(node.name)
        node = node.parent
    return " / ".join(reversed(parts))


def employee_list(*, search: str = "", department_id: int | None = None) -> QuerySet[Employee]:
    qs = Employee.objects.select_related("department", "user").order_by("name")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(email__icontains=search) | Q(title__icontains=search))
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").prefetch_related("departments").order_by("user__email")


def invitation_pending_list() -> QuerySet[MemberInvitation]:
    return MemberInvitation.objects.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


def audit_log(*, actor_id: int | None = None, action: str = "", since: dt.date | None = None,
              until: dt.date | None = None, time_zone: str = "UTC") -> QuerySet[AuditLogEntry]:
    """The log, newest first, narrowed by who, what (an action or its prefix: `survey.` is every
    survey action) and days (inclusive, in the organization's time zone)."""
    qs = AuditLogEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    zone = ZoneInfo(time_zone)
    if since:
        qs = qs.filter(created_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=zone))
    if until:
        qs = qs.filter(created_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return qs


def audit_log_actions() -> list[str]:
    return list(AuditLogEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """The organizations a user can switch between (crosses tenants on purpose: it is the
    user's own list)."""
    return (
        Membership.objects.dangerously_unscoped()
        .filter(user=user, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def department_subtree(department_ids, departments=None) -> set[int]:
    """The given departments and every team inside them, at any depth. Pass `departments`
    (objects with pk and parent_id) when the caller has them already."""
    if departments is None:
        departments = list(Department.objects.only("pk", "parent_id"))
    ids, frontier = set(department_ids), set(department_ids)
    while frontier:
        frontier = {d.pk for d in departments if d.parent_id in frontier} - ids
        ids |= frontier
    return ids
