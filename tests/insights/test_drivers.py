"""The drivers, the why view and the sentiment card: figures equal a recount by hand of the
small fixture (tests/insights/conftest.py), under the dashboard's filters and the reader's
scope; employee answers only from whole anonymity units, and no theme figure about fewer
answers than the threshold."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict

from dashboards.selectors import dashboard_for
from nps_platform.tenancy import tenant_context
from organizations import access
from organizations.models import Membership
from tests.dashboards.helpers import add_responses, local, rebuild
from tests.insights.conftest import PERIOD, WEEK1, WEEK2, analyse_as


def _board(organization, query=PERIOD, membership=None):
    membership = membership or Membership.objects.filter(organization=organization, role="owner").first()
    return dashboard_for(actor=access.actor_for(membership), params=QueryDict(query))


def _by_key(figures):
    return {row["theme"].key: row for row in figures["themes"]}


def test_drivers_equal_a_recount_by_hand(small):
    from insights.selectors import drivers

    with tenant_context(small.organization):
        figures = drivers(_board(small.organization))
    # 12 answers: promoters 10,10,9,9,10; passives 8,7; detractors 6,5,3,0,2 → NPS 0
    assert (figures["overall"].n, figures["overall"].nps, figures["comments"]) == (12, 0, 10)
    rows = _by_key(figures)
    assert set(rows) == {"delivery", "staff", "communication"}
    delivery = rows["delivery"]  # 8, 6, 5, 3, 0
    assert (delivery["n"], delivery["score"].nps) == (5, -80)
    # of 4 promoter, 2 passive and 4 detractor comments
    assert delivery["shares"] == {"promoter": 0, "passive": 50, "detractor": 100}
    # without its 4 detractors: 5 promoters, 2 passives, 1 detractor → 50, i.e. +50
    assert (delivery["without_detractors"], delivery["effect"]) == (50, 50)
    assert [(p["week"], p["score"].nps) for p in delivery["trend"]] == [(WEEK1, -100), (WEEK2, -67)]
    staff = rows["staff"]  # 10, 10, 9
    assert (staff["n"], staff["score"].nps, staff["shares"]["promoter"], staff["effect"]) == (3, 100, 75, 0)
    communication = rows["communication"]  # 3: without it 5/2/4 → 1/11 → 9
    assert (communication["without_detractors"], communication["effect"]) == (9, 9)
    assert figures["themes"][0]["theme"].key == "delivery"  # the largest effect first


def test_drivers_follow_the_readers_scope_and_filters(small, add_member):
    from insights.selectors import drivers

    user = add_member(small.organization, "manager")
    with tenant_context(small.organization):
        membership = Membership.objects.get(user=user)
        membership.departments.add(small.departments["a"])
        figures = drivers(_board(small.organization, membership=membership))
        # department A holds the odd answers: 10, 9, 7, 5, 0, 2 → 2/1/3 → -17
        assert (figures["overall"].n, figures["overall"].nps) == (6, -17)
        delivery = _by_key(figures)["delivery"]  # 5 and 0; without them 2/1/1 → 25
        assert (delivery["n"], delivery["score"].nps, delivery["effect"]) == (2, -100, 42)
        assert _by_key(figures)["staff"]["n"] == 1  # "Great staff" (i = 1); the other two are B's
        # the period filter: the second week alone
        later = drivers(_board(small.organization, "from=2025-03-10&to=2025-03-16"))
        assert _by_key(later)["delivery"]["n"] == 3


def test_sentiment_card_shares(small):
    from insights.selectors import sentiment_summary

    with tenant_context(small.organization):
        summary = sentiment_summary(_board(small.organization))
    assert summary["total"] == 10
    assert {r["sentiment"]: (r["n"], r["share"]) for r in summary["rows"]} == {
        "positive": (3, 30), "neutral": (3, 30), "negative": (4, 40)}


def test_why_lists_top_themes_with_comments_the_reader_may_see(small):
    from insights.selectors import why

    with tenant_context(small.organization):
        sides = {side["category"]: side for side in why(_board(small.organization))}
    detractors = sides["detractor"]
    assert detractors["themes"][0]["theme"].key == "delivery"
    assert (detractors["themes"][0]["n"], detractors["themes"][0]["share"]) == (4, 100)
    assert {r.comment for r in detractors["themes"][0]["samples"]} <= {
        "Leveringen var forsinket", "Pakken kom for sent", "Levering tog tre uger", "Aldrig leveret"}
    assert len(detractors["themes"][0]["samples"]) == 3
    assert sides["promoter"]["themes"][0]["theme"].key == "staff"


def test_employee_themes_only_from_whole_units_and_never_under_the_threshold(small):
    """Threshold 5: in the first week Butik A's five answers are a unit and Butik B's two are
    hidden; a theme said by four people of A is not shown at all, one said by all five is, from
    their five answers. In the second week A's six answers are a unit: a theme said by five of
    them is left out there too (the one who did not say it would be a group of one), one said by
    all six counts."""
    from insights.selectors import drivers, sentiment_summary

    organization, a, b = small.organization, small.departments["a"], small.departments["b"]
    assert organization.anonymity_threshold == 5
    scores_a = [10, 9, 8, 6, 3]
    specs = [{"score": s, "at": local(WEEK1 + dt.timedelta(days=i)), "comment": f"a {i}", "department": a}
             for i, s in enumerate(scores_a)]
    specs += [{"score": 0, "at": local(WEEK1), "comment": f"b {i}", "department": b} for i in range(2)]
    answers = add_responses(organization, small.enps, specs)
    for i, response in enumerate(answers):
        # every one mentions price; A's first four (and both of B) mention staff too
        analyse_as(organization, response, "negative", ["price", "staff"] if i < 4 or i >= 5 else ["price"])
    week2 = add_responses(organization, small.enps, [
        {"score": 10, "at": local(WEEK2 + dt.timedelta(days=i % 5)), "comment": f"a2 {i}", "department": a}
        for i in range(6)])
    for i, response in enumerate(week2):
        analyse_as(organization, response, "positive", ["quality", "price"] if i < 5 else ["quality"])
    rebuild(organization)
    with tenant_context(organization):
        board = _board(organization, PERIOD + "&kind=enps")
        figures = drivers(board)
        rows = _by_key(figures)
        assert set(rows) == {"price", "quality"}  # staff: 4 of the shown answers (B's two are not shown)
        # week 1 only (10, 9, 8, 6, 3: 2 − 2 of 5); week 2's five of six are left out
        assert rows["price"]["n"] == 5 and rows["price"]["score"].nps == 0
        assert [(p["week"], p["score"].n) for p in rows["price"]["trend"]] == [(WEEK1, 5)]
        assert (rows["quality"]["n"], rows["quality"]["score"].nps) == (6, 100)
        assert figures["overall"].n == 11  # B's answers count nowhere
        assert figures["hidden"] == 1
        assert sentiment_summary(board)["total"] == 11
        # a manager of B sees no unit at all: nothing, and no "too few" figure either
        from organizations.models import User

        manager = User.objects.create_user(email="b-manager@example.com", password="pass-Word-123")
        membership = Membership.objects.create(organization=organization, user=manager, role="manager")
        membership.departments.add(b)
        board_b = _board(organization, PERIOD + "&kind=enps", membership=membership)
        assert drivers(board_b)["themes"] == [] and drivers(board_b)["overall"].n == 0
        assert sentiment_summary(board_b)["total"] == 0


def test_drivers_page_and_odd_input(small, member_client):
    client = member_client(small.owner)
    response = client.get(f"/o/{small.slug}/dashboard/drivers/?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-theme="delivery"' in html and 'data-theme="staff"' in html
    for query in ("from=x&to=y&survey=abc&department=-1&segment=x&kind=zz", "survey=99999999999999999999",
                  "theme[]=1&sentiment=%ff"):
        for name in ("drivers", "why"):
            assert client.get(f"/o/{small.slug}/dashboard/{name}/?{query}").status_code == 200
    assert client.get(f"/o/{small.slug}/dashboard/why/?{PERIOD}").status_code == 200


def test_a_deactivated_theme_leaves_drivers_why_and_the_digest_at_once(small):
    """Deactivating a theme is the admin saying it no longer matters: its mentions stay until
    the re-analysis, but no figure of it is shown meanwhile."""
    from insights.models import Theme
    from insights.selectors import drivers, top_themes, why
    from insights.services import theme_set_active

    with tenant_context(small.organization):
        assert "delivery" in _by_key(drivers(_board(small.organization)))
        delivery = Theme.objects.get(key="delivery")
        assert delivery.label() in [t["label"] for t in top_themes(_board(small.organization))]
        theme_set_active(theme=delivery, by=None, active=False)
        board = _board(small.organization)
        assert set(_by_key(drivers(board))) == {"staff", "communication"}
        assert all(t["theme"].key != "delivery" for part in why(board) for t in part["themes"])
        assert delivery.label() not in [t["label"] for t in top_themes(board)]
