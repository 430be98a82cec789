"""Who sees what, decided here and nowhere else. Every page, export, API answer, webhook,
digest, report, chart and KPI asks these functions; nothing else filters by role.

An `Actor` is a member (with a role) or an API key (which reads as an admin of its
organization). The functions take a queryset of the later stages' models (responses, cases,
contacts) and narrow it, so this module imports no later app:

- owners and admins: the whole organization;
- managers: the answers of their departments and every team inside them, and the cases of
  those departments plus any case assigned to them; contacts only as they appear on those
  answers and cases; never the contacts directory, its imports or exports;
- viewers (and employees with a login, who are viewers): aggregates, and comments without the
  person behind them; no contacts, no cases;
- employees' names and scores follow the organization's `employee_visibility`.

Employee (eNPS) answers are anonymous for everyone, admins included, as statistical
disclosure control (`anonymity_units`): every figure is a sum of whole *units*, groups of at
least the threshold's number of answers, so no figure and no difference of two figures is
about fewer people than the threshold. No per-answer eNPS row leaves the product."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import ADMIN_ROLES, Employee, EmployeeVisibility, Organization, Role
from .selectors import department_subtree

KEY = "key"  # the role an API key acts in: an admin's reading
DIGEST = "digest"  # the weekly digest's readers: a department's customer-facing employees
ANONYMOUS_KIND = "enps"  # surveys whose answers are anonymous (SurveyKind.ENPS)


@dataclass(frozen=True)
class Actor:
    organization: Organization
    role: str
    user_id: int | None = None
    department_ids: frozenset[int] | None = None  # None: every department
    own_employee_ids: frozenset[int] = field(default_factory=frozenset)
    see_employees: bool = False  # other employees' names and scores

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES or self.role == KEY

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


def actor_for(membership) -> Actor:
    """A member's reading of their organization."""
    organization = membership.organization
    visibility = organization.employee_visibility
    own = frozenset(Employee.objects.filter(user_id=membership.user_id).values_list("pk", flat=True))
    if membership.role == Role.MANAGER:
        departments = frozenset(department_subtree(membership.departments.values_list("pk", flat=True)))
        see = visibility in (EmployeeVisibility.MANAGERS, EmployeeVisibility.EMPLOYEE_AND_MANAGERS,
                             EmployeeVisibility.ALL_MEMBERS)
        return Actor(organization, membership.role, membership.user_id, departments, own, see)
    if membership.role in ADMIN_ROLES:
        return Actor(organization, membership.role, membership.user_id, None, own,
                     visibility != EmployeeVisibility.NOBODY)
    # viewers: every department's figures; employees by name only when all members may see them,
    # and their own when the organization shows employees their own score
    return Actor(organization, membership.role, membership.user_id, None,
                 own if visibility == EmployeeVisibility.EMPLOYEE_AND_MANAGERS else frozenset(),
                 visibility == EmployeeVisibility.ALL_MEMBERS)


def actor_for_key(organization: Organization) -> Actor:
    """An API key reads as an admin does (employee visibility still applies)."""
    return Actor(organization, KEY, None, None, frozenset(),
                 organization.employee_visibility != EmployeeVisibility.NOBODY)


def actor_for_digest(organization: Organization, department_ids) -> Actor:
    """The weekly digest's reader: the customer-facing staff of a department see its answers (and
    its teams'), without the people behind them; employees named only if all members may."""
    return Actor(organization, DIGEST, None, frozenset(department_subtree(department_ids)), frozenset(),
                 organization.employee_visibility == EmployeeVisibility.ALL_MEMBERS)


def actor_of(request) -> Actor:
    """The actor of an `/o/<slug>/` page request (kept on the request)."""
    actor = getattr(request, "_actor", None)
    if actor is None:
        actor = request._actor = actor_for(request.membership)
    return actor


def actor_of_api(request) -> Actor:
    """The reader of an API call: a browser session's member, or a key (which reads as an admin
    does). The API kit puts `api_membership` (sessions) and `api_organization` on the request."""
    membership = getattr(request, "api_membership", None)
    if membership is None:
        return actor_for_key(request.api_organization)
    return actor_for(membership)


# --- What a role may do -------------------------------------------------------------------------

def may_administer(actor: Actor) -> bool:
    """Settings, members, survey design, the contacts directory, imports, personal-data exports,
    webhooks and API keys."""
    return actor.is_admin


def may_work_cases(actor: Actor) -> bool:
    return actor.is_admin or actor.is_manager


def may_see_people(actor: Actor) -> bool:
    """Whether contacts' names and addresses appear beside their answers (on what the actor may
    see at all): admins and managers; viewers read answers without the person."""
    return actor.is_admin or actor.is_manager


def may_see_case_figures(actor: Actor) -> bool:
    """The closed-loop KPIs: for those who work cases."""
    return may_work_cases(actor)


def two_factor_required(membership) -> bool:
    """Whether the organization asks this member for a second factor before they reach any of
    its pages (or its API with a session): its policy (models.TwoFactorPolicy) and their role."""
    policy = membership.organization.two_factor_required
    if policy == "everyone":
        return True
    return policy == "admins" and membership.role in ADMIN_ROLES


def admin_required(view):
    """View decorator for `/o/<slug>/` views only admins use; others get 403 (they are in the
    organization, so it exists for them)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None or not may_administer(actor_of(request)):
            raise PermissionDenied("admin")
        return view(request, *args, **kwargs)

    return wrapper


def case_workers_only(view):
    """View decorator for working cases: admins and managers."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None or not may_work_cases(actor_of(request)):
            raise PermissionDenied("manager")
        return view(request, *args, **kwargs)

    return wrapper


# --- What a role may see ------------------------------------------------------------------------

def visible_responses(actor: Actor, qs: QuerySet) -> QuerySet:
    """Answers (of any kind) the actor's figures are made of: a manager's departments."""
    if actor.department_ids is not None:
        qs = qs.filter(department_id__in=actor.department_ids)
    return qs


def answer_rows(actor: Actor, qs: QuerySet) -> QuerySet:
    """Answers shown one by one (lists, exports, the API, webhooks): never an anonymous one —
    employee answers leave the product only as figures of large enough groups."""
    return visible_responses(actor, qs).exclude(survey__kind=ANONYMOUS_KIND)


def answer_may_leave(survey) -> bool:
    """Whether one answer of `survey` may be sent out on its own (a webhook, a Slack post):
    the same rule as `answer_rows`."""
    return not anonymous_kind(survey.kind)


def visible_cases(actor: Actor, qs: QuerySet) -> QuerySet:
    """Cases: admins all; managers their departments' and those assigned to them; viewers none."""
    if actor.is_admin:
        return qs
    if actor.is_manager:
        return qs.filter(Q(department_id__in=actor.department_ids) | Q(owner_id=actor.user_id))
    return qs.none()


def visible_contacts(actor: Actor, qs: QuerySet) -> QuerySet:
    """Contacts: admins all; managers those who answered in their departments or whose case is
    theirs; viewers none."""
    if actor.is_admin:
        return qs
    if actor.is_manager:
        return qs.filter(Q(responses__department_id__in=actor.department_ids)
                         | Q(responses__cases__department_id__in=actor.department_ids)
                         | Q(responses__cases__owner_id=actor.user_id)).distinct()
    return qs.none()


def visible_employee_ids(actor: Actor) -> set[int] | None:
    """Whose individual scores the actor may see: None for every employee, else a set (perhaps
    only their own, perhaps empty)."""
    return None if actor.see_employees else set(actor.own_employee_ids)


def anonymous_kind(kind: str) -> bool:
    return kind == ANONYMOUS_KIND


# --- Employee answers: statistical disclosure control -------------------------------------------

HIDDEN = "hidden"


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week: the smallest period an employee answer is shown by."""
    return day - dt.timedelta(days=day.weekday())


def anonymous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Employee figures cover whole weeks (Monday to Sunday), so that two periods never differ
    by part of a week."""
    return week_start(start), week_start(end) + dt.timedelta(days=6)


def group_large_enough(organization: Organization, n: int) -> bool:
    """Whether a group of `n` employee answers is large enough to be shown at all."""
    return n >= organization.anonymity_threshold


def anonymity_units(atoms: Mapping[tuple, list[int]], parents: Mapping[int, int | None],
                    threshold: int) -> dict[tuple, int | str | None]:
    """Assigns each atom — (slice, department id or None) with its 0–10 histogram, a slice being
    e.g. (survey, week) — to the unit it is shown in: a department whose own answers plus the
    unplaced answers of the teams below it reach `threshold` becomes a unit root and takes them
    all; answers that reach no such department are HIDDEN. Units never cross slices, and every
    figure shown is a sum of whole units, so any difference of two figures is again whole units
    of at least `threshold` answers (or nothing). The partition is the organization's, the same
    for every reader; readers then see the units whose root is in their scope.

    Returns atom → unit root (a department id, None for the organization as a whole) or HIDDEN."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for department, parent in parents.items():
        children[parent if parent in parents else None].append(department)
    by_slice: dict[tuple, dict[int | None, int]] = defaultdict(dict)
    for (slice_key, department), histogram in atoms.items():
        department = department if department is None or department in parents else None
        by_slice[slice_key][department] = by_slice[slice_key].get(department, 0) + sum(histogram)
    out: dict[tuple, int | str | None] = {}
    for slice_key, sizes in by_slice.items():
        placed: dict[int | None, int | str | None] = {}
        _, unplaced = _place(None, sizes, children, threshold, placed)
        placed.update(dict.fromkeys(unplaced, HIDDEN))
        for department, root in placed.items():
            out[(slice_key, department)] = root
    # atoms of departments that no longer exist were counted as the organization's (None) above
    for slice_key, department in atoms:
        if (slice_key, department) not in out:
            out[(slice_key, department)] = out.get((slice_key, None), HIDDEN)
    return out


def _place(node, sizes, children, threshold, placed) -> tuple[int, list]:
    """Places `node`'s subtree bottom-up; returns (answers not yet in a unit, their departments)."""
    pending, members = sizes.get(node, 0), ([node] if sizes.get(node) else [])
    for child in children.get(node, ()):
        n, held = _place(child, sizes, children, threshold, placed)
        pending, members = pending + n, members + held
    if pending >= threshold:
        placed.update(dict.fromkeys(members, node))
        return 0, []
    return pending, members


def units_in_scope(actor: Actor, roots: Iterable[int | str | None]) -> set:
    """The unit roots an actor may see: all (but HIDDEN) for the organization's readers; for a
    manager, units rooted in their departments (a unit rooted above them also holds other
    people's answers)."""
    shown = {r for r in roots if r != HIDDEN}
    if actor.department_ids is None:
        return shown
    return {r for r in shown if r is not None and r in actor.department_ids}
