"""Properties of what the dashboard shows, on random data (hypothesis):

- customer answers: every figure — headline, trend, department and channel breakdowns, under any
  department filter, period and reader (admin, a manager of any department) — equals a recount
  of the raw answers in the same scope;
- employee answers: every figure shown is of 0 or at least `threshold` answers, and no two
  figures of nested populations (a department and a team inside it, a period and a week in it,
  a total and one of its rows or the sum of its rows, an admin's and a manager's view) differ by
  a group of 1 to threshold − 1 answers: a hidden group cannot be derived by subtraction."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.rollups import rollups_rebuild
from dashboards.selectors import Dashboard, Filters
from nps_platform.tenancy import tenant_context
from organizations import access
from organizations.models import Department, Membership, Organization, Role
from responses.models import Response
from surveys.presentation import category_for_score
from tests.dashboards.conftest import published

pytestmark = pytest.mark.django_db

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
MONDAY = dt.date(2025, 3, 3)
WEEKS = 3
# department i's parent: a small tree (0 and 3 top level; 1, 2 inside 0; 4 inside 1)
PARENTS = [None, 0, 0, None, 1]

answers = st.lists(st.tuples(st.integers(0, 10),                       # score
                             st.one_of(st.none(), st.integers(0, 4)),  # department
                             st.integers(0, WEEKS * 7 - 1),            # day
                             st.sampled_from(["email", "link"])),      # channel
                   min_size=0, max_size=40)


@pytest.fixture
def org(make_org, add_member):
    organization, owner = make_org("Egenskab ApS")
    cnps = published(organization, owner, name="Customers")
    enps = published(organization, owner, template="employee", name="Pulse", languages=("da", "en"))
    return organization, owner, cnps, enps, add_member


def _seed(organization, survey, rows) -> list[Department]:
    departments: list[Department] = []
    for i, parent in enumerate(PARENTS):
        departments.append(Department.objects.create(
            organization=organization, name=f"D{i}", parent=departments[parent] if parent is not None else None))
    objects = [Response(organization=organization, survey=survey, version=survey.current_version, channel=channel,
                        language="da", score=score, category=category_for_score(score),
                        department=departments[d] if d is not None else None)
               for score, d, _day, channel in rows]
    Response.objects.bulk_create(objects)
    for obj, (_s, _d, day, _c) in zip(objects, rows, strict=True):
        obj.created_at = dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(12), CPH)
    Response.objects.bulk_update(objects, ["created_at"])
    rollups_rebuild(organization=organization)
    return departments


def _readers(organization, departments, add_member) -> list[access.Actor]:
    readers = [access.actor_for_key(organization)]
    for i, department in enumerate(departments[:2]):  # a department with a team inside, and that team
        user = add_member(organization, Role.MANAGER, email=f"m{i}-{organization.pk}-{id(department)}@example.com")
        membership = Membership.objects.get(user=user)
        membership.departments.set([department])
        readers.append(access.actor_for(Membership.objects.select_related("organization").get(pk=membership.pk)))
    return readers


def _periods():
    end = MONDAY + dt.timedelta(days=WEEKS * 7 - 1)
    yield MONDAY, end
    for w in range(WEEKS):
        yield MONDAY + dt.timedelta(days=7 * w), MONDAY + dt.timedelta(days=7 * w + 6)


def _subtree(i: int) -> set[int]:
    out, frontier = {i}, {i}
    while frontier:
        frontier = {j for j, p in enumerate(PARENTS) if p in frontier} - out
        out |= frontier
    return out


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=answers)
def test_customer_figures_equal_a_recount_under_every_scope_and_filter(org, rows):
    organization, _owner, cnps, _enps, add_member = org
    with transaction.atomic(), tenant_context(organization):
        departments = _seed(organization, cnps, rows)
        for reader in _readers(organization, departments, add_member):
            for department in [None, *range(len(departments))]:
                for start, end in _periods():
                    filters = Filters(start=start, end=end, kind="cnps",
                                      department_id=departments[department].pk if department is not None else None)
                    board = Dashboard(organization=organization, filters=filters, actor=reader)
                    scope = set(range(len(departments))) if reader.department_ids is None else {
                        i for i, d in enumerate(departments) if d.pk in reader.department_ids}
                    if department is not None:
                        scope &= _subtree(department)
                    everything = reader.department_ids is None and department is None
                    mine = [r for r in rows if (r[1] in scope or (everything and r[1] is None))
                            and start <= MONDAY + dt.timedelta(days=r[2]) <= end]
                    histogram = [0] * 11
                    for score, *_rest in mine:
                        histogram[score] += 1
                    assert board.histogram() == histogram
                    channels = {row["value"]: row["score"].n for row in board.breakdown("channel")}
                    assert channels == {c: n for c in ("email", "link") if (n := sum(r[3] == c for r in mine))}
                    by_department = {row["value"]: row["score"].n for row in board.breakdown("department")}
                    assert by_department == {str(departments[i].pk): n for i in range(len(departments))
                                             if (n := sum(r[1] == i for r in mine))}
                    assert sum(point["score"].n for point in board.trend()) == len(mine)
        transaction.set_rollback(True)


def _figures(board) -> dict[str, list[int]]:
    """Every histogram the page shows for one view (headline, trend points, breakdown rows, tree)."""
    out = {"headline": board.histogram()}
    for point in board.trend():
        out[f"week {point['bucket']}"] = _histogram_of(point["score"])
    for row in board.breakdown("department"):
        out[f"row {row['value']}"] = _histogram_of(row["score"])
    for row in board.department_tree():
        out[f"tree {row['department'].pk}"] = _histogram_of(row["score"])
    return out


def _histogram_of(score) -> list[int]:
    # only the categories and n are shown beside the NPS; compare those
    return [score.promoters, score.passives, score.detractors]


def _categories(histogram: list[int]) -> list[int]:
    return [sum(histogram[9:]), sum(histogram[7:9]), sum(histogram[:7])] if len(histogram) == 11 else histogram


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=answers, threshold=st.integers(3, 6))
def test_no_small_group_of_employees_is_shown_or_derivable(org, rows, threshold):
    organization, _owner, _cnps, enps, add_member = org
    Organization.objects.filter(pk=organization.pk).update(anonymity_threshold=threshold)
    organization.refresh_from_db()
    with transaction.atomic(), tenant_context(organization):
        departments = _seed(organization, enps, rows)
        readers = _readers(organization, departments, add_member)
        views = {}  # (reader index, department index or None, period) → figures
        for (r, reader), department, period in itertools.product(
                enumerate(readers), [None, *range(len(departments))], list(_periods())):
            filters = Filters(start=period[0], end=period[1], kind="enps",
                              department_id=departments[department].pk if department is not None else None)
            board = Dashboard(organization=organization, filters=filters, actor=reader)
            views[(r, department, period)] = {k: _categories(v) for k, v in _figures(board).items()}
        total = len(rows)
        for key, figures in views.items():
            for name, figure in figures.items():
                assert sum(figure) == 0 or sum(figure) >= threshold, (key, name, figure)
                assert sum(figure) <= total
            headline = figures["headline"]
            rows_sum = [0, 0, 0]
            for name, figure in figures.items():
                if name.startswith("row "):
                    rows_sum = [a + b for a, b in zip(rows_sum, figure, strict=True)]
                if name != "headline" and not name.startswith("tree "):
                    _assert_no_small_difference(headline, figure, threshold, (key, name))
            _assert_no_small_difference(headline, rows_sum, threshold, (key, "rows together"))
        # nested views: a narrower filter, a shorter period, a narrower reader
        for (r1, d1, p1), (r2, d2, p2) in itertools.permutations(views, 2):
            if _contains(readers, departments, (r1, d1, p1), (r2, d2, p2)):
                _assert_no_small_difference(views[(r1, d1, p1)]["headline"], views[(r2, d2, p2)]["headline"],
                                            threshold, ((r1, d1, p1), (r2, d2, p2)))
        transaction.set_rollback(True)


def _contains(readers, departments, wide, narrow) -> bool:
    (r1, d1, p1), (r2, d2, p2) = wide, narrow
    if not (p1[0] <= p2[0] and p2[1] <= p1[1]):
        return False
    in_reader = readers[r1].department_ids is None or (
        readers[r2].department_ids is not None and readers[r2].department_ids <= readers[r1].department_ids)
    in_filter = d1 is None or (d2 is not None and d2 in _subtree(d1))
    return in_reader and in_filter


def _assert_no_small_difference(wide, narrow, threshold, where):
    difference = [a - b for a, b in zip(wide, narrow, strict=True)]
    assert all(x >= 0 for x in difference), (where, wide, narrow)
    assert sum(difference) == 0 or sum(difference) >= threshold, (where, wide, narrow)
