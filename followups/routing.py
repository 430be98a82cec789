"""Who is responsible for an answer, and when a case is due."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from organizations.models import Department, Membership, Organization, Role, User

WORKDAY = (8, 16)  # business hours for SLAs counted in business time


def department_managers(department: Department | None) -> list[User]:
    """The managers of a department, or of the nearest department above it that has some."""
    node = department
    while node is not None:
        managers = [m.user for m in Membership.objects.filter(role=Role.MANAGER, departments=node)
                    .select_related("user") if m.user.is_active]
        if managers:
            return managers
        node = node.parent
    return []


def fallback_people(organization: Organization) -> list[User]:
    fallback = organization.alert_fallback
    if fallback is not None and fallback.is_active and Membership.objects.filter(user=fallback).exists():
        return [fallback]
    return [m.user for m in Membership.objects.filter(role=Role.OWNER).select_related("user") if m.user.is_active]


def responsible_people(*, organization: Organization, response) -> list[User]:
    """The responsible employee's manager, else the department's manager (up the tree), else the
    organization's fallback."""
    department = response.employee.department if response.employee_id and response.employee else None
    people = department_managers(department) or department_managers(response.department)
    return people or fallback_people(organization)


def escalation_people(*, organization: Organization, department: Department | None, level: int) -> list[User]:
    """Level 1: the managers one department up; beyond the tree: admins and owners."""
    node = department
    for _ in range(level):
        node = node.parent if node is not None else None
    people = department_managers(node) if node is not None else []
    if people:
        return people
    return [m.user for m in Membership.objects.filter(role__in=[Role.OWNER, Role.ADMIN], user__is_active=True)
            .select_related("user")]


def due_time(*, start: dt.datetime, hours: int, business: bool, time_zone: str) -> dt.datetime:
    """`hours` after `start`, counting every hour, or only Mon–Fri 08–16 in the time zone."""
    if not business:
        return start + dt.timedelta(hours=hours)
    tz = zoneinfo.ZoneInfo(time_zone)
    moment = start.astimezone(tz)
    remaining = dt.timedelta(hours=hours)
    while True:
        day_start = moment.replace(hour=WORKDAY[0], minute=0, second=0, microsecond=0)
        day_end = moment.replace(hour=WORKDAY[1], minute=0, second=0, microsecond=0)
        if moment.weekday() >= 5 or moment >= day_end:
            moment = (moment + dt.timedelta(days=1)).replace(hour=WORKDAY[0], minute=0, second=0, microsecond=0)
            continue
        moment = max(moment, day_start)
        available = day_end - moment
        if remaining <= available:
            return (moment + remaining).astimezone(dt.UTC)
        remaining -= available
        moment = day_end
