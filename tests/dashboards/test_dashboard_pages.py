"""The dashboard pages against a known data set: the headline with its margin and change, the
department tree, breakdowns, filters in the URL (rollup and raw paths agreeing), customers and
employees never mixed, who sees employees and which departments, eNPS anonymity, the comment
explorer, the funnel, sources and the chart data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from nps_platform.nps_math import change_is_significant, margin_of_error, score_from_categories
from nps_platform.tenancy import tenant_context
from organizations.models import EmployeeVisibility
from tests.dashboards.conftest import CURRENT_SCORES, END, PERIOD, START, published, set_org
from tests.dashboards.helpers import (
    by_id,
    category,
    chart,
    comment_texts,
    expected_score,
    local,
    table_rows,
    text,
)

pytestmark = pytest.mark.django_db

SMALL = "Smaller groups, merged for anonymity"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def headline(html) -> tuple[str, str]:
    return text(by_id(html, "headline-nps")), text(by_id(html, "headline-n"))


def grouped(specs, key) -> dict[str, tuple[str, str, bool]]:
    """What a breakdown table should show: {label: (nps, n, few)} recounted from the specs."""
    groups = defaultdict(list)
    for spec in specs:
        label = key(spec)
        if label is not None:
            groups[label].append(spec["score"])
    out = {}
    for label, scores in groups.items():
        value, n = expected_score(scores)
        out[label] = (str(value), str(n), n < 30)
    return out


def name_or_none(obj):
    return None if obj is None else obj.name


# --- the headline -----------------------------------------------------------------------------

def test_headline_shows_nps_n_margin_and_a_significant_change(world, login):
    html = get(login(world.owner), world.url())
    assert headline(html) == ("60", "100")
    margin = margin_of_error(70, 20, 10)
    assert f"±{margin}" in text(by_id(html, "headline"))
    change = text(by_id(html, "headline-change"))
    assert change.startswith("+20 against the period before")
    assert change_is_significant(score_from_categories(70, 20, 10), score_from_categories(55, 30, 15))
    assert "significant" in change
    assert "Common reading: excellent" in text(by_id(html, "headline"))
    assert "70.0 % · 20.0 % · 10.0 %" in text(html)


def test_previous_period_alone_and_a_change_that_is_not_significant(world, login):
    client = login(world.owner)
    html = get(client, world.url(query="from=2025-02-17&to=2025-03-02"))
    assert headline(html) == ("40", "100")
    # the period before that one holds only the 0 given at 23:55 local on 16 February
    assert text(by_id(html, "headline-change")).startswith("+140 against the period before")
    # one week against the week before: +6 with n≈50 is within the margin
    week1 = [s["score"] for s in world.current if s["at"].date() < START + dt.timedelta(days=7)]
    week2 = [s["score"] for s in world.current if s["at"].date() >= START + dt.timedelta(days=7)]
    html = get(client, world.url(query=f"from={START + dt.timedelta(days=7)}&to={END}"))
    now_nps, n = expected_score(week2)
    before_nps, _ = expected_score(week1)
    assert headline(html) == (str(now_nps), str(n))
    change = text(by_id(html, "headline-change"))
    assert change.startswith(f"{now_nps - before_nps:+d} against the period before")
    assert "significant" not in change


def test_a_day_range_boundary_follows_the_organization_time_zone(world, login):
    """The answer given at 00:05 local time (23:05 UTC the evening before) on the day after the
    period is that day's only answer."""
    day = END + dt.timedelta(days=1)
    html = get(login(world.owner), world.url(query=f"from={day}&to={day}"))
    assert headline(html) == ("-100", "1")


# --- the department tree and breakdowns --------------------------------------------------------

def test_department_tree_rolls_teams_up_into_their_department(world, login):
    html = get(login(world.owner), world.url())
    d = world.departments
    rows = table_rows(html, "by-department")
    subtrees = {"Sales": {d["sales"], d["north"], d["south"]}, "Sales North": {d["north"]},
                "Sales South": {d["south"]}, "Support": {d["support"], d["cph"]}, "Support Copenhagen": {d["cph"]}}
    expected = {}
    for label, members in subtrees.items():
        value, n = expected_score(s["score"] for s in world.current if s["department"] in members)
        expected[label] = (str(value), str(n), n < 30)
    assert rows == expected
    assert int(rows["Sales"][1]) == sum(int(rows[t][1]) for t in ("Sales North", "Sales South")) + sum(
        1 for s in world.current if s["department"] == d["sales"])
    # tree order: each department followed by its teams, teams indented one level
    body = by_id(html, "by-department")
    assert body.index(">Sales<") < body.index(">Sales North<") < body.index(">Sales South<") < body.index(">Support<")
    assert 'class="tree-depth-1"' in body and 'class="tree-depth-0"' in body


@pytest.mark.parametrize(("dimension", "key"), [
    ("channel", lambda s: s["channel"]),
    ("language", lambda s: s["language"]),
    ("survey", lambda s: s["survey"].name),
    ("region", lambda s: s["contact"].region if s["contact"] else None),
    ("product", lambda s: s["contact"].product if s["contact"] else None),
    ("employee", lambda s: name_or_none(s["employee"])),
])
def test_breakdowns_show_nps_n_and_the_few_flag(world, login, dimension, key):
    html = get(login(world.owner), world.url())
    expected = grouped(world.current, key)
    assert table_rows(html, f"by-{dimension}") == expected
    if dimension in ("channel", "language", "survey"):
        assert not all(few for (_nps, _n, few) in expected.values())  # large groups ...
    if dimension != "channel":
        assert any(few for (_nps, _n, few) in expected.values())  # ... and small ones, flagged


# --- filters in the URL -----------------------------------------------------------------------

def test_filters_live_in_the_url(world, login):
    from contacts.models import Segment

    with tenant_context(world.organization):
        segment = Segment.objects.create(organization=world.organization, name="Nord", filters={"region": "Nord"})
    north = world.departments["north"]
    query = f"{PERIOD}&survey={world.relationship.pk}&kind=cnps&department={north.pk}&segment={segment.pk}"
    html = get(login(world.owner), world.url(query=query))
    form = by_id(html, "dashboard-filters")
    assert 'value="2025-03-03"' in form and 'value="2025-03-16"' in form
    assert f'<option value="{world.relationship.pk}" selected>' in form
    assert f'<option value="{north.pk}" selected>' in form
    assert f'<option value="{segment.pk}" selected>' in form
    assert '<option value="cnps" selected>' in form
    shared = (f"from=2025-03-03&amp;to=2025-03-16&amp;every=week&amp;survey={world.relationship.pk}&amp;kind=cnps"
              f"&amp;department={north.pk}&amp;segment={segment.pk}")
    assert f"export.csv?{shared}" in html and f"export.xlsx?{shared}" in html
    # and the numbers are those of that slice
    specs = [s for s in world.current if s["survey"] is world.relationship and s["department"] == north
             and s["contact"] is not None and s["contact"].region == "Nord"]
    value, n = expected_score(s["score"] for s in specs)
    assert headline(html) == (str(value) if n else "—", str(n))


def test_survey_filter(world, login):
    html = get(login(world.owner), world.url(query=f"{PERIOD}&survey={world.workshop.pk}"))
    value, n = expected_score(s["score"] for s in world.current if s["survey"] is world.workshop)
    assert headline(html) == (str(value), str(n))
    assert set(table_rows(html, "by-survey")) == {"Workshop visit"}


def test_segment_filter_counts_the_segments_contacts(world, login):
    from contacts.models import Segment

    with tenant_context(world.organization):
        segment = Segment.objects.create(organization=world.organization, name="City bikes",
                                         filters={"product": "city bike"})
    html = get(login(world.owner), world.url(query=f"{PERIOD}&segment={segment.pk}"))
    value, n = expected_score(s["score"] for s in world.current if s["contact"] is world.contacts["sven"])
    assert n and headline(html) == (str(value), str(n))


@pytest.mark.parametrize("department", ["north", "south", "cph", "sales", "support"])
def test_department_filter_takes_the_raw_path_with_the_rollup_paths_numbers(world, login, department):
    client = login(world.owner)
    full = get(client, world.url())
    target = world.departments[department]
    tree_row = table_rows(full, "by-department")[target.name]
    html = get(client, world.url(query=f"{PERIOD}&department={target.pk}"))
    assert headline(html) == tree_row[:2]

    # breakdowns counted from raw answers equal those from the rollups' per-department rows
    members = {target, *(d for d in world.departments.values() if d.parent_id == target.pk)}
    specs = [s for s in world.current if s["department"] in members]
    assert table_rows(html, "by-channel") == grouped(specs, lambda s: s["channel"])
    assert table_rows(html, "by-survey") == grouped(specs, lambda s: s["survey"].name)
    assert chart(html, "chart-distribution")["data"][0]["y"] == [
        sum(1 for s in specs if s["score"] == score) for score in range(11)]


def test_department_filter_from_rollups_equals_a_recount_slice_by_slice(world):
    """For each department and each period, a department filter's histogram (read from the
    department rollups) equals a recount of the raw answers of that department and its teams."""
    from dashboards.selectors import Dashboard, Filters
    from organizations.access import actor_for_key
    from responses.models import Response

    with tenant_context(world.organization):
        for department in world.departments.values():
            members = {department.pk, *(d.pk for d in world.departments.values() if d.parent_id == department.pk)}
            for start, end in ((START, END), (START, START + dt.timedelta(days=3)), (dt.date(2025, 2, 1), END)):
                filters = Filters(start=start, end=end, kind="cnps", department_id=department.pk)
                board = Dashboard(organization=world.organization, filters=filters,
                                  actor=actor_for_key(world.organization))
                assert not board.raw
                recount = [0] * 11
                for r in Response.objects.filter(survey__kind="cnps", department_id__in=members,
                                                 created_at__gte=local(start, 0),
                                                 created_at__lt=local(end + dt.timedelta(days=1), 0)):
                    recount[r.score] += 1
                assert board.histogram() == recount


def test_trend_by_month_from_rollups_and_raw_answers(world, login):
    client = login(world.owner)
    html = get(client, world.url(query="from=2025-02-01&to=2025-03-31&every=month"))
    nps_trace = chart(html, "chart-trend")["data"][2]
    everything = world.current + world.previous + world.outside
    months = [[s["score"] for s in everything if s["at"].month == m] for m in (2, 3)]
    assert nps_trace["x"] == ["2025-02-01", "2025-03-01"]
    assert nps_trace["customdata"] == [len(m) for m in months]
    assert nps_trace["y"] == [expected_score(m)[0] for m in months]
    raw = get(client, world.url(query=f"from=2025-02-01&to=2025-03-31&every=month&department="
                                      f"{world.departments['sales'].pk}"))
    sales = [s for s in world.current if s["department"] in
             {world.departments[k] for k in ("sales", "north", "south")}]
    assert chart(raw, "chart-trend")["data"][2]["x"] == ["2025-03-01"]
    assert chart(raw, "chart-trend")["data"][2]["y"] == [expected_score(s["score"] for s in sales)[0]]


# --- customers and employees never mix -------------------------------------------------------

def test_customer_and_employee_answers_never_mix(world, login):
    client = login(world.owner)
    cnps = get(client, world.url())
    enps = get(client, world.url(query=f"{PERIOD}&kind=enps"))
    assert headline(cnps) == ("60", "100")
    value, n = expected_score(s["score"] for s in world.enps)
    assert headline(enps) == (str(value), str(n)) and n == 11
    assert "Employee NPS" in enps and "Customer NPS" in cnps
    assert sum(chart(enps, "chart-distribution")["data"][0]["y"]) == 11
    assert set(table_rows(enps, "by-survey")) == {"Employee pulse"}
    assert "Employee pulse" not in table_rows(cnps, "by-survey")
    # no kind, or a nonsense kind: customers
    assert headline(get(client, world.url(query=f"{PERIOD}&kind=everything"))) == ("60", "100")
    # an employee survey picked with kind=cnps: the survey decides, and it is employees
    html = get(client, world.url(query=f"{PERIOD}&kind=cnps&survey={world.pulse.pk}"))
    assert headline(html) == (str(value), "11") and '<option value="enps" selected>' in html


# --- who sees employees, and which departments ---------------------------------------------------

VISIBILITY = [
    (EmployeeVisibility.NOBODY, {"owner": False, "admin": False, "manager": False, "viewer": False}),
    (EmployeeVisibility.MANAGERS, {"owner": True, "admin": True, "manager": True, "viewer": False}),
    (EmployeeVisibility.ALL_MEMBERS, {"owner": True, "admin": True, "manager": True, "viewer": True}),
]


@pytest.mark.parametrize(("visibility", "sees"), VISIBILITY)
def test_employee_breakdown_follows_employee_visibility(world, login, member, visibility, sees):
    set_org(world, employee_visibility=visibility)
    people = {"owner": world.owner, "admin": member(world, "admin"),
              "manager": member(world, "manager", departments=[world.departments["sales"]]),
              "viewer": member(world, "viewer")}
    for role, user in people.items():
        html = get(login(user), world.url())
        rows = table_rows(html, "by-employee")
        assert bool(rows) == sees[role], role
        comments = get(login(user), world.url("comments/"))
        # Emma served customers in Sales (the manager's departments) with comments
        assert ("Emma Sælger" in comments) == sees[role], role
        if not sees[role]:
            assert "Emma Sælger" not in html and "Oscar Service" not in html


def test_with_employee_and_managers_a_viewer_sees_only_themselves(world, login, member):
    set_org(world, employee_visibility=EmployeeVisibility.EMPLOYEE_AND_MANAGERS)
    emma = member(world, "viewer", employee=world.employees["emma"])
    html = get(login(emma), world.url())
    assert table_rows(html, "by-employee") == {
        k: v for k, v in grouped(world.current, lambda s: name_or_none(s["employee"])).items() if k == "Emma Sælger"}
    assert "Oscar Service" not in html
    other = member(world, "viewer")
    assert table_rows(get(login(other), world.url()), "by-employee") == {}


def test_a_manager_sees_only_their_departments(world, login, member):
    d = world.departments
    manager = member(world, "manager", departments=[d["sales"]])
    client = login(manager)
    html = get(client, world.url())
    sales = [s for s in world.current if s["department"] in (d["sales"], d["north"], d["south"])]
    value, n = expected_score(s["score"] for s in sales)
    assert headline(html) == (str(value), str(n))
    assert set(table_rows(html, "by-department")) == {"Sales", "Sales North", "Sales South"}
    assert table_rows(html, "by-channel") == grouped(sales, lambda s: s["channel"])
    # a filter outside their departments shows nothing; one inside narrows
    assert headline(get(client, world.url(query=f"{PERIOD}&department={d['support'].pk}"))) == ("—", "0")
    north = [s["score"] for s in world.current if s["department"] == d["north"]]
    assert headline(get(client, world.url(query=f"{PERIOD}&department={d['north'].pk}"))) == tuple(
        map(str, expected_score(north)))
    # the comment explorer too
    comments = comment_texts(get(client, world.url("comments/")))
    assert sorted(comments) == sorted(s["comment"] for s in sales if s["comment"])

    team_lead = member(world, "manager", departments=[d["cph"]])
    cph = [s["score"] for s in world.current if s["department"] == d["cph"]]
    assert headline(get(login(team_lead), world.url())) == tuple(map(str, expected_score(cph)))
    nobody = member(world, "manager")
    assert headline(get(login(nobody), world.url())) == ("—", "0")


# --- eNPS anonymity -------------------------------------------------------------------------------

def test_enps_groups_under_the_threshold_are_merged(world, login):
    html = get(login(world.owner), world.url(query=f"{PERIOD}&kind=enps"))
    # employee answers are broken down only by the groups their anonymity units follow
    assert table_rows(html, "by-language") == {} and table_rows(html, "by-channel") == {}
    # the department tree shows only groups that reach the threshold, teams rolled up
    tree = table_rows(html, "by-department")
    assert set(tree) == {"Sales", "Sales North"}
    assert tree["Sales"][1] == tree["Sales North"][1] == "6"


def test_enps_merged_group_under_the_threshold_is_hidden(world, login):
    set_org(world, anonymity_threshold=6)
    html = get(login(world.owner), world.url(query=f"{PERIOD}&kind=enps"))
    assert set(table_rows(html, "by-department")) == {"Sales", "Sales North"}
    assert SMALL not in html
    assert headline(html)[1] == "6"  # South and Support (5 together) are shown nowhere
    set_org(world, anonymity_threshold=7)
    html = get(login(world.owner), world.url(query=f"{PERIOD}&kind=enps"))
    # North (6) is too small alone: it and South (2) make one group shown as Sales; Support's 3 hide
    north_and_south = [s["score"] for s in world.enps if s["department"] != world.departments["support"]]
    assert table_rows(html, "by-department") == {"Sales": (str(expected_score(north_and_south)[0]), "8", True)}
    assert headline(html)[1] == "8"


def test_enps_breakdown_selectors_merge_small_departments(world):
    from dashboards.selectors import Dashboard, Filters
    from organizations.access import actor_for_key

    with tenant_context(world.organization):
        board = Dashboard(organization=world.organization, filters=Filters(start=START, end=END, kind="enps"),
                          actor=actor_for_key(world.organization))
        rows = {r["label"]: r["score"].n for r in board.breakdown("department")}
    assert rows == {"Sales North": 6, SMALL: 5}


def test_enps_headline_of_a_group_under_the_threshold_is_not_shown(world, login):
    html = get(login(world.owner), world.url(query=f"{PERIOD}&kind=enps&department={world.departments['south'].pk}"))
    assert text(by_id(html, "headline-nps")) == "—"
    assert sum(chart(html, "chart-distribution")["data"][0]["y"]) == 0


# --- the comment explorer -----------------------------------------------------------------------

def _comments(world, **where):
    return sorted(s["comment"] for s in world.current if s["comment"] and all(
        f(s) for f in where.values()))


def test_comment_explorer_searches_and_filters(world, login):
    client = login(world.owner)
    html = get(client, world.url("comments/"))
    everything = _comments(world)
    assert sorted(comment_texts(html)) == everything
    assert f"{len(everything)} comments" in html

    html = get(client, world.url("comments/", f"{PERIOD}&q=GREAT"))
    assert sorted(comment_texts(html)) == _comments(world, q=lambda s: "great" in s["comment"])
    html = get(client, world.url("comments/", f"{PERIOD}&category=detractor"))
    assert sorted(comment_texts(html)) == _comments(world, c=lambda s: category(s["score"]) == "detractor")
    html = get(client, world.url("comments/", f"{PERIOD}&language=sv&category=promoter"))
    expected = _comments(world, lang=lambda s: s["language"] == "sv", c=lambda s: s["score"] >= 9)
    assert expected and sorted(comment_texts(html)) == expected
    html = get(client, world.url("comments/", f"{PERIOD}&q=nothing-like-this"))
    assert comment_texts(html) == [] and "No comments match." in html
    # the dashboard filters apply too
    html = get(client, world.url("comments/", f"{PERIOD}&survey={world.workshop.pk}"))
    assert sorted(comment_texts(html)) == _comments(world, s=lambda s: s["survey"] is world.workshop)


def test_comment_explorer_names_contacts_of_customers(world, login):
    html = get(login(world.owner), world.url("comments/"))
    assert "karen@kunde.dk" in html  # a customer who answered by email, with a comment


def test_comment_explorer_hides_enps_comments_of_small_groups(world, login):
    client = login(world.owner)
    html = get(client, world.url("comments/", f"{PERIOD}&kind=enps"))
    shown = comment_texts(html)
    # North (6) is a group of its own; South's 2 merge with Support's 3 into the organization's
    # group of 5, shown without a department (never as "Sales South")
    assert sorted(shown) == sorted(s["comment"] for s in world.enps if s["comment"])
    assert "· Sales South" not in by_id(html, "comments")
    html = get(client, world.url("comments/", f"{PERIOD}&kind=enps&department={world.departments['south'].pk}"))
    assert comment_texts(html) == []  # filtering the small group itself shows none of its words
    set_org(world, anonymity_threshold=12)
    assert comment_texts(get(client, world.url("comments/", f"{PERIOD}&kind=enps"))) == []
    set_org(world, anonymity_threshold=3)  # South's 2 go up to the organization's level alone: hidden
    shown = comment_texts(get(client, world.url("comments/", f"{PERIOD}&kind=enps")))
    assert len(shown) == 6 and not any("south" in c for c in shown)


# --- funnel, sources, charts --------------------------------------------------------------------

def test_funnel_counts_invitations_sent_in_the_period(world, login):
    from distribution.models import Campaign, Invitation

    org = world.organization
    with tenant_context(org):
        campaigns = {s.pk: Campaign.objects.create(organization=org, name="Q1", survey=s)
                     for s in (world.relationship, world.pulse)}

        def invite(i, survey, sent, opened=False, responded=False):
            Invitation.objects.create(
                organization=org, campaign=campaigns[survey.pk], survey=survey, email=f"p{i}@x.dk",
                language="da", token_nonce=f"n{i}", token_hash=f"h{i}", status="sent",
                scheduled_for=sent or local(START),
                sent_at=sent, opened_at=sent if opened else None, responded_at=sent if responded else None,
                expires_at=local(END) + dt.timedelta(days=30))

        for i in range(40):  # in the period: 40 sent, 25 opened, 10 responded
            invite(i, world.relationship, local(START + dt.timedelta(days=i % 14), 8), opened=i < 25,
                   responded=i < 10)
        invite(100, world.relationship, local(START - dt.timedelta(days=1), 23, 59), opened=True)  # before
        invite(101, world.relationship, local(END + dt.timedelta(days=1), 0, 1))  # after
        invite(102, world.relationship, None)  # scheduled, not sent
        for i in range(7):
            invite(200 + i, world.pulse, local(START, 9), opened=True)
    client = login(world.owner)
    funnel = text(by_id(get(client, world.url()), "funnel"))
    assert funnel == "40 sent → 25 opened → 10 responded (25 %)"
    assert text(by_id(get(client, world.url(query=f"{PERIOD}&kind=enps")), "funnel")) == (
        "7 sent → 7 opened → 0 responded (0 %)")


def test_sources_with_the_share_that_came_by_recommendation(world, login):
    html = get(login(world.owner), world.url())
    sourced = [s for s in world.current if s["source"]]
    recommended = sum(1 for s in sourced if s["source"] == "recommendation")
    assert f"{round(100 * recommended / len(sourced))} % came by recommendation" in text(html)
    figure = chart(html, "chart-sources")
    labels = {"recommendation": "A recommendation from someone I know", "search": "Search engine",
              "__other__": "Other"}
    by_label = defaultdict(lambda: [0, 0, 0])
    for s in sourced:
        by_label[labels[s["source"]]][("detractor", "passive", "promoter").index(category(s["score"]))] += 1
    assert sorted(figure["data"][0]["y"]) == sorted(by_label)
    for trace, index in zip(figure["data"], range(3), strict=True):
        assert dict(zip(trace["y"], trace["x"], strict=True)) == {k: v[index] for k, v in by_label.items()}
    # without any answer to a source question there is no share
    html = get(login(world.owner), world.url(query=f"{PERIOD}&survey={world.workshop.pk}"))
    assert "came by recommendation" not in html


def test_chart_data_carries_the_numbers(world, login):
    html = get(login(world.owner), world.url())
    distribution = chart(html, "chart-distribution")["data"][0]
    assert distribution["x"] == list(range(11))
    assert distribution["y"] == [CURRENT_SCORES.count(score) for score in range(11)]

    weeks = [[s["score"] for s in world.current if s["at"].date() < START + dt.timedelta(days=7)],
             [s["score"] for s in world.current if s["at"].date() >= START + dt.timedelta(days=7)]]
    trend = chart(html, "chart-trend")
    nps_trace = next(t for t in trend["data"] if t.get("name") == "NPS")
    assert nps_trace["x"] == ["2025-03-03", "2025-03-10"]
    assert nps_trace["y"] == [expected_score(w)[0] for w in weeks]
    assert nps_trace["customdata"] == [len(w) for w in weeks]
    upper, lower = trend["data"][0]["y"], trend["data"][1]["y"]
    for week, hi, lo in zip(weeks, upper, lower, strict=True):
        score = score_from_categories(*[sum(1 for s in week if category(s) == c)
                                        for c in ("promoter", "passive", "detractor")])
        assert hi == pytest.approx(min(100, score.exact + score.margin))
        assert lo == pytest.approx(max(-100, score.exact - score.margin))

    categories = {t["name"]: t["y"] for t in chart(html, "chart-categories")["data"]}
    for name, c in (("Promoters", "promoter"), ("Passives", "passive"), ("Detractors", "detractor")):
        assert categories[name] == [round(100 * sum(1 for s in w if category(s) == c) / len(w), 1) for w in weeks]


def test_nps_target_shows_as_a_line_on_the_trend(world, login):
    set_org(world, nps_target=50)
    html = get(login(world.owner), world.url())
    assert chart(html, "chart-trend")["layout"]["shapes"][0]["y0"] == 50
    assert "your target: 50" in text(by_id(html, "headline"))


# --- tenants ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "comments/", "export.csv", "export.xlsx"])
def test_another_organizations_member_gets_404(world, org_b, login, path):
    _other, other_owner = org_b
    assert login(other_owner).get(world.url(path)).status_code == 404


def test_ids_from_another_organization_show_nothing_of_it(world, make_org, login):
    from contacts.models import Segment
    from organizations.models import Department
    from tests.dashboards.helpers import add_responses

    other, other_owner = make_org("Konkurrenten A/S")
    survey = published(other, other_owner, name="Their survey")
    with tenant_context(other):
        department = Department.objects.create(organization=other, name="Their department")
        segment = Segment.objects.create(organization=other, name="Their segment", filters={})
    add_responses(other, survey, [{"score": 10, "at": local(START), "department": department,
                                   "comment": "their secret comment"}] * 5)
    from tests.dashboards.helpers import rebuild

    rebuild(other)
    client = login(world.owner)
    for query in (f"survey={survey.pk}", f"department={department.pk}", f"segment={segment.pk}",
                  f"survey={survey.pk}&kind=enps"):
        html = get(client, world.url(query=f"{PERIOD}&{query}"))
        assert headline(html) == ("—", "0"), query
        assert "Their survey" not in html and "Their department" not in html and "Their segment" not in html
        comments = get(client, world.url("comments/", f"{PERIOD}&{query}"))
        assert "their secret comment" not in comments and comment_texts(comments) == []
    # and their own dashboard has their answers only
    html = get(login(other_owner), f"/o/{other.slug}/dashboard/?{PERIOD}")
    assert headline(html) == ("100", "5")
