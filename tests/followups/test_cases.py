"""Cases: a detractor opens one case for the responsible person with a deadline; the inbox sorts
them into mine/open/overdue/closed; the case page shows the answer, the customer and what to do,
and takes notes, status, owner and replies to the customer; reminders and escalations follow the
clock; viewers read; other organizations see nothing."""

from __future__ import annotations

import datetime as dt
import html
import re
from unittest import mock

import pytest
from django.utils import timezone

from followups.routing import due_time
from nps_platform.tenancy import tenant_context

from .conftest import cases_of, default_rules, events_of, in_org, local, rule_make

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def plain(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def addresses(message) -> set[str]:
    return {a.addr_spec for a in message["To"].addresses}


def case_url(organization, case, suffix="") -> str:
    return f"/o/{organization.slug}/followup/cases/{case.pk}/{suffix}"


def listed_cases(page) -> list[int]:
    table = page.split('id="cases"', 1)[1]
    return [int(pk) for pk in re.findall(r"/followup/cases/(\d+)/", table)]


def tab_count(page, label) -> int:
    return int(re.search(rf">{label} <span class=\"badge[^\"]*\"[^>]*>(\d+)</span>", page).group(1))


# --- Opening a case -------------------------------------------------------------------------------

def test_a_detractor_opens_one_case_for_the_responsible_person_due_in_48_hours(tree, answer):
    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    before = timezone.now()
    response = answer(organization, survey, 2, "Late delivery", employee=tree["erik"])
    answer(organization, survey, 1, "Late delivery, and rude", employee=tree["erik"], previous=response)

    [case] = cases_of(organization)
    assert case.response_id == response.pk and case.category == "detractor" and case.status == "new"
    assert case.owner == tree["north_manager"] and case.department == tree["north"]
    assert case.rule.name == "Detractors: call within 48 hours"
    assert before + dt.timedelta(hours=48) <= case.due_at <= timezone.now() + dt.timedelta(hours=48)
    assert abs(case.due_at - case.created_at - dt.timedelta(hours=48)) < dt.timedelta(seconds=5)
    [opened] = events_of(organization, case)
    assert opened.kind == "opened" and "Detractors: call within 48 hours" in opened.text


def test_a_business_hours_rule_counts_only_working_hours(tree, answer):
    organization, survey = tree["organization"], tree["survey"]
    rule_make(organization, name="Call within 4 working hours", sla_hours=4, sla_clock="business")
    friday_afternoon = local("2025-06-06 15:00")  # a Friday, Copenhagen
    with mock.patch("django.utils.timezone.now", return_value=friday_afternoon.astimezone(dt.UTC)):
        answer(organization, survey, 3, "Came on Friday, nobody there", employee=tree["erik"])
    [case] = cases_of(organization)
    assert case.due_at == local("2025-06-09 11:00")  # one hour on Friday, three on Monday


@pytest.mark.parametrize("start, hours, business, time_zone, due", [
    ("2025-06-06 15:00", 4, True, "Europe/Copenhagen", "2025-06-09 11:00"),  # Friday → Monday
    ("2025-06-09 09:00", 4, True, "Europe/Copenhagen", "2025-06-09 13:00"),  # within a day
    ("2025-06-09 14:00", 4, True, "Europe/Copenhagen", "2025-06-10 10:00"),  # over the night
    ("2025-06-09 06:30", 1, True, "Europe/Copenhagen", "2025-06-09 09:00"),  # before opening
    ("2025-06-09 16:00", 1, True, "Europe/Copenhagen", "2025-06-10 09:00"),  # at closing
    ("2025-06-07 10:00", 2, True, "Europe/Copenhagen", "2025-06-09 10:00"),  # on a Saturday
    ("2025-06-05 08:00", 16, True, "Europe/Copenhagen", "2025-06-06 16:00"),  # two full days
    ("2025-06-04 12:00", 48, True, "Europe/Copenhagen", "2025-06-12 12:00"),  # six working days
    ("2025-06-06 15:00", 4, True, "America/New_York", "2025-06-09 11:00"),  # the organization's zone
    ("2025-06-06 15:00", 48, False, "Europe/Copenhagen", "2025-06-08 15:00"),  # around the clock
])
def test_due_time(start, hours, business, time_zone, due):
    got = due_time(start=local(start, time_zone), hours=hours, business=business, time_zone=time_zone)
    assert got == local(due, time_zone)


def test_due_time_in_business_hours_reads_the_start_in_the_organizations_zone():
    # 13:00 UTC on a Friday is 15:00 in Copenhagen (one hour left that day) and 09:00 in New York.
    start = dt.datetime(2025, 6, 6, 13, 0, tzinfo=dt.UTC)
    assert due_time(start=start, hours=4, business=True, time_zone="Europe/Copenhagen") == \
        local("2025-06-09 11:00")
    assert due_time(start=start, hours=4, business=True, time_zone="America/New_York") == \
        local("2025-06-06 13:00", "America/New_York")


# --- The inbox ------------------------------------------------------------------------------------

@pytest.fixture
def inbox(tree, answer):
    """Four cases: North's (Nora's), Sales' overdue one, a closed one and a passive one in Support."""
    from followups.models import Case
    from organizations.models import Department

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    with tenant_context(organization):
        support = Department.objects.create(organization=organization, name="Support")
    rule_make(organization, name="Passives in Support", category="passive", department=support,
              notify_email=False, sla_hours=120)
    answer(organization, survey, 3, "North was slow", employee=tree["erik"])
    answer(organization, survey, 2, "Sales forgot us", department=tree["sales"])
    answer(organization, survey, 1, "Broken, now fixed", department=tree["sales"])
    answer(organization, survey, 7, "Support was OK", department=support)
    cases = {c.response.comment: c for c in cases_of(organization)}
    now = timezone.now()
    with tenant_context(organization):
        Case.objects.filter(pk=cases["Sales forgot us"].pk).update(due_at=now - dt.timedelta(hours=1))
        Case.objects.filter(pk=cases["Broken, now fixed"].pk).update(status="resolved", reason="fixed",
                                                                     closed_at=now, first_action_at=now)
    return {**tree, "support": support, "north_case": cases["North was slow"],
            "overdue_case": cases["Sales forgot us"], "closed_case": cases["Broken, now fixed"],
            "passive_case": cases["Support was OK"]}


def test_the_inbox_tabs_count_and_list_the_cases(inbox, member_client):
    """A manager's inbox holds their departments' cases (teams included) and cases assigned to
    them; an admin's, every case."""
    organization = inbox["organization"]
    base = f"/o/{organization.slug}/followup/cases/"

    sam = member_client(inbox["sales_manager"])  # Sales, and North inside it
    page = text(sam.get(base))
    assert (tab_count(page, "Mine"), tab_count(page, "Open"), tab_count(page, "Overdue"),
            tab_count(page, "Closed")) == (1, 2, 1, 1)
    assert listed_cases(page) == [inbox["overdue_case"].pk]  # "mine" is the default view
    assert "Sales forgot us" in page and "Support was OK" not in page
    by_view = {view: listed_cases(text(sam.get(base, {"view": view})))
               for view in ("open", "overdue", "closed", "all")}
    assert by_view["open"] == [inbox["overdue_case"].pk, inbox["north_case"].pk]
    assert by_view["overdue"] == [inbox["overdue_case"].pk]
    assert by_view["closed"] == [inbox["closed_case"].pk]
    assert sorted(by_view["all"]) == sorted([inbox["overdue_case"].pk, inbox["north_case"].pk,
                                             inbox["closed_case"].pk])
    overdue_row = text(sam.get(base, {"view": "overdue"})).split('id="cases"', 1)[1]
    assert 'class="table-danger"' in overdue_row

    nora = member_client(inbox["north_manager"])  # North only: not Sales' cases
    page = text(nora.get(base, {"view": "all"}))
    assert (tab_count(page, "Mine"), tab_count(page, "Open"), tab_count(page, "Overdue"),
            tab_count(page, "Closed")) == (1, 1, 0, 0)
    assert listed_cases(page) == [inbox["north_case"].pk]
    assert "Sales forgot us" not in page and "Support was OK" not in page
    assert nora.get(f"{base}{inbox['overdue_case'].pk}/").status_code == 404

    admin = text(member_client(inbox["admin"]).get(base, {"view": "all"}))
    assert sorted(listed_cases(admin)) == sorted(c.pk for c in cases_of(organization))


def test_a_case_assigned_to_a_manager_outside_their_departments_is_theirs(inbox, member_client):
    from followups.services import case_update

    organization = inbox["organization"]
    with tenant_context(organization):
        case_update(case=inbox["passive_case"], by=inbox["admin"], owner=inbox["north_manager"])
    nora = member_client(inbox["north_manager"])
    base = f"/o/{organization.slug}/followup/cases/"
    assert sorted(listed_cases(text(nora.get(base, {"view": "all"})))) == sorted(
        [inbox["north_case"].pk, inbox["passive_case"].pk])
    page = nora.get(f"{base}{inbox['passive_case'].pk}/")
    assert page.status_code == 200 and "Support was OK" in text(page)


def test_the_inbox_filters_by_department_and_category(inbox, member_client):
    organization = inbox["organization"]
    admin = member_client(inbox["admin"])
    base = f"/o/{organization.slug}/followup/cases/"

    assert listed_cases(text(admin.get(base, {"view": "all", "department": inbox["north"].pk}))) == \
        [inbox["north_case"].pk]
    assert sorted(listed_cases(text(admin.get(base, {"view": "all", "department": inbox["sales"].pk})))) == \
        sorted([inbox["overdue_case"].pk, inbox["closed_case"].pk])
    assert listed_cases(text(admin.get(base, {"view": "open", "category": "passive"}))) == \
        [inbox["passive_case"].pk]
    assert listed_cases(text(admin.get(base, {"view": "open", "category": "detractor",
                                              "department": inbox["sales"].pk}))) == [inbox["overdue_case"].pk]
    empty = text(admin.get(base, {"view": "closed", "category": "passive"}))
    assert listed_cases(empty) == [] and "No cases here." in empty


# --- The case page --------------------------------------------------------------------------------

@pytest.fixture
def karens_case(tree, invite, answer_personal, published_survey):
    """Karen (served by Erik in North) loved us last spring and is unhappy after a workshop visit."""
    from contacts.models import Contact

    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    default_rules(organization)
    visit = published_survey(organization, owner, languages=("en",), template="transactional",
                             name="Workshop visit")
    with tenant_context(organization):
        karen = Contact.objects.create(organization=organization, email="karen@kunde.dk", name="Karen Kunde",
                                       language="en", employee=tree["erik"], department=tree["north"])
    earlier, _ = invite(organization, owner, survey, karen)
    answer_personal(earlier, 10, "Great service last spring")
    now, _ = invite(organization, owner, visit, karen)
    answer_personal(now, 2, "Brakes squeak after the repair")
    [case] = cases_of(organization)
    return {**tree, "case": case, "karen": karen, "visit": visit}


def test_the_case_page_shows_the_answer_the_customer_the_playbook_and_earlier_answers(karens_case, member_client):
    organization, case = karens_case["organization"], karens_case["case"]
    page = plain(member_client(karens_case["north_manager"]).get(case_url(organization, case)))
    assert f"Case {case.pk} · New" in page
    assert "2 Workshop visit" in page and "Brakes squeak after the repair" in page
    assert "Karen Kunde · karen@kunde.dk" in page
    assert "Playbook: Contact the customer within 48 hours: find out what went wrong and fix it." in page
    assert "This customer's other answers" in page
    assert "Relationship · 10 — Great service last spring" in page
    assert "Owner: nora.north@shop.dk" in page
    assert "Send reply" in page


def test_updating_a_case_writes_the_timeline_and_the_first_action(karens_case, member_client,
                                                                 django_capture_on_commit_callbacks):
    organization, case = karens_case["organization"], karens_case["case"]
    nora = member_client(karens_case["north_manager"])
    url = case_url(organization, case)
    assert case.first_action_at is None

    with django_capture_on_commit_callbacks(execute=True):
        saved = nora.post(url, {"status": "in_progress", "owner": karens_case["sales_manager"].pk, "reason": "",
                                "note": "Called Karen, she wants a new appointment"})
    assert saved.status_code == 302 and saved["Location"] == url
    [case] = cases_of(organization)
    assert case.status == "in_progress" and case.owner == karens_case["sales_manager"]
    assert case.first_action_at is not None
    first_action = case.first_action_at
    kinds = [(e.kind, e.actor) for e in events_of(organization, case)]
    assert kinds == [("opened", None), ("note", karens_case["north_manager"]),
                     ("owner", karens_case["north_manager"]), ("status", karens_case["north_manager"])]
    page = plain(nora.get(url))
    assert "Called Karen, she wants a new appointment" in page
    assert "nora.north@shop.dk → sam.sales@shop.dk" in page and "New → In progress" in page
    assert f"Case {case.pk} · In progress" in page

    # Resolving needs a reason; without one nothing is saved, not even the note.
    refused = nora.post(url, {"status": "resolved", "reason": "", "note": "All done"})
    assert refused.status_code == 200
    assert "Give a reason when resolving or closing a case." in text(refused)
    [case] = cases_of(organization)
    assert case.status == "in_progress" and case.closed_at is None
    assert len(events_of(organization, case)) == 4

    with django_capture_on_commit_callbacks(execute=True):
        resolved = nora.post(url, {"status": "resolved", "reason": "fixed", "note": ""})
    assert resolved.status_code == 302
    [case] = cases_of(organization)
    assert case.status == "resolved" and case.reason == "fixed" and case.closed_at is not None
    assert case.first_action_at == first_action  # the first action stays the first
    assert events_of(organization, case)[-1].text == "In progress → Resolved (Problem fixed)"


def test_a_reply_to_the_customer_is_mailed_with_the_member_as_reply_to(karens_case, member_client, smtp_sink):
    organization, case = karens_case["organization"], karens_case["case"]
    nora = member_client(karens_case["north_manager"])

    sent = nora.post(case_url(organization, case, "reply/"),
                     {"text": "Dear Karen,\nwe are sorry. Can we fix the brakes on Tuesday?"}, follow=True)
    assert "Your reply is sent and kept in the timeline." in text(sent)

    [reply] = [m for m in smtp_sink.wait_for(1) if "karen@kunde.dk" in m["To"]]
    assert reply["Reply-To"] == "nora.north@shop.dk"
    assert reply["From"].addresses[0].display_name == "Cykelmageren ApS"
    assert reply["Subject"] == "Cykelmageren ApS: Workshop visit"
    assert "Can we fix the brakes on Tuesday?" in smtp_sink.body(reply)
    [case] = cases_of(organization)
    assert case.status == "waiting" and case.first_action_at is not None
    reply_event = events_of(organization, case)[-1]
    assert reply_event.kind == "reply" and reply_event.actor == karens_case["north_manager"]
    assert "Can we fix the brakes on Tuesday?" in text(nora.get(case_url(organization, case)))


def test_an_employee_survey_detractor_starts_no_alert_and_no_case(tree, invite, answer_personal, published_survey,
                                                                  smtp_sink):
    """eNPS answers are anonymous: an alert to a small team's manager would say who answered."""
    from followups.models import Alert

    organization, owner = tree["organization"], tree["owner"]
    default_rules(organization)
    enps = published_survey(organization, owner, languages=("en",), template="employee", name="eNPS spring")
    invitation, _ = invite(organization, owner, enps, tree["erik"])
    answer_personal(invitation, 2, "Too much overtime")
    assert cases_of(organization) == []
    assert in_org(organization, lambda: Alert.objects.count()) == 0
    assert smtp_sink.wait_for(1, timeout=1) == []


def test_an_anonymous_answer_cannot_be_replied_to(tree, invite, answer_personal, published_survey, member_client):
    """Even a case opened by hand on an employee answer has nobody to reply to."""
    from followups.models import Rule
    from followups.services import case_open
    from responses.models import Response

    organization, owner = tree["organization"], tree["owner"]
    enps = published_survey(organization, owner, languages=("en",), template="employee", name="eNPS spring")
    invitation, _ = invite(organization, owner, enps, tree["erik"])
    answer_personal(invitation, 2, "Too much overtime")
    with tenant_context(organization):
        rule = Rule.objects.create(organization=organization, name="Manual", category="detractor")
        case = case_open(response=Response.objects.get(), rule=rule)
    admin = member_client(tree["admin"])
    page = text(admin.get(case_url(organization, case)))
    assert "Employee survey: anonymous." in page and "Send reply" not in page
    assert "Erik" not in page and "erik@shop.dk" not in page
    refused = admin.post(case_url(organization, case, "reply/"), {"text": "Hi Erik?"}, follow=True)
    assert "This answer is anonymous: there is nobody to reply to." in text(refused)


# --- Reminders and escalation ---------------------------------------------------------------------

def test_reminder_at_three_quarters_then_escalation_up_the_tree_then_to_admins(tree, answer, member_client,
                                                                              smtp_sink):
    from followups.services import cases_remind_and_escalate

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    answer(organization, survey, 2, "Still waiting for my bike", employee=tree["erik"])
    answer(organization, survey, 3, "Already sorted", employee=tree["erik"])
    smtp_sink.wait_for(2)
    smtp_sink.messages.clear()
    cases = {c.response.comment: c for c in cases_of(organization)}
    case, done = cases["Still waiting for my bike"], cases["Already sorted"]
    with tenant_context(organization):
        done.status, done.reason = "resolved", "fixed"
        done.save()
    created, due = case.created_at, case.due_at

    def tick(at):
        with tenant_context(organization):
            return cases_remind_and_escalate(organization=organization, now=at)

    assert tick(created + dt.timedelta(hours=35)) == {"reminded": 0, "escalated": 0}
    assert tick(created + dt.timedelta(hours=36, minutes=1)) == {"reminded": 1, "escalated": 0}
    [reminder] = smtp_sink.wait_for(1)
    assert addresses(reminder) == {"nora.north@shop.dk"}
    assert reminder["Subject"] == f"Due soon: case {case.pk} (Relationship)"
    assert "Still waiting for my bike" in smtp_sink.body(reminder)
    assert tick(created + dt.timedelta(hours=40)) == {"reminded": 0, "escalated": 0}

    assert tick(due + dt.timedelta(minutes=1)) == {"reminded": 0, "escalated": 1}
    [_, level_one] = smtp_sink.wait_for(2)
    assert addresses(level_one) == {"sam.sales@shop.dk"}  # the managers one department up
    assert level_one["Subject"] == f"Overdue: case {case.pk} (Relationship)"
    assert "Escalation level 1" in smtp_sink.body(level_one)
    assert tick(due + dt.timedelta(hours=2)) == {"reminded": 0, "escalated": 0}  # once a day at most

    assert tick(due + dt.timedelta(days=1, minutes=2)) == {"reminded": 0, "escalated": 1}
    messages = smtp_sink.wait_for(3)
    assert len(messages) == 3
    assert addresses(messages[2]) == {"ada.admin@shop.dk", tree["owner"].email}
    assert "Escalation level 2" in smtp_sink.body(messages[2])

    timeline = [(e.kind, e.text) for e in events_of(organization, case)]
    assert timeline[1:] == [
        ("reminder", "Reminder sent to nora.north@shop.dk."),
        ("escalated", "Overdue: escalated to sam.sales@shop.dk."),
        ("escalated", f"Overdue: escalated to ada.admin@shop.dk, {tree['owner'].email}."),
    ]
    assert [e.kind for e in events_of(organization, done)] == ["opened"]  # a resolved case stays quiet
    page = text(member_client(tree["admin"]).get(case_url(organization, case)))
    assert "escalated (level 2)" in page and "Overdue: escalated to sam.sales@shop.dk." in page


# --- KPIs -----------------------------------------------------------------------------------------

def test_the_inbox_kpis_match_a_hand_count(tree, answer, member_client):
    from followups.models import Case

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    for comment in ("A", "B", "C"):
        answer(organization, survey, 2, comment, department=tree["sales"])
    answer(organization, survey, 8, "Passive, no case", department=tree["sales"])
    cases = {c.response.comment: c for c in cases_of(organization)}
    now = timezone.now()
    hours = dt.timedelta(hours=1)
    with tenant_context(organization):
        # A: first action after 2 h, closed after 6 h. B: first action after 6 h, open. C: untouched, overdue.
        Case.objects.filter(pk=cases["A"].pk).update(created_at=now - 10 * hours, first_action_at=now - 8 * hours,
                                                     closed_at=now - 4 * hours, status="resolved", reason="fixed")
        Case.objects.filter(pk=cases["B"].pk).update(created_at=now - 20 * hours, first_action_at=now - 14 * hours,
                                                     status="in_progress")
        Case.objects.filter(pk=cases["C"].pk).update(created_at=now - 60 * hours, due_at=now - 12 * hours)

    page = text(member_client(tree["owner"]).get(f"/o/{organization.slug}/followup/cases/"))
    kpis = page.split('id="kpis"', 1)[1].split("</div>\n<ul", 1)[0]
    values = re.findall(r'<div class="fs-5"[^>]*>([^<]*)</div>', kpis)
    assert values == ["67 %", "4.0 h", "6.0 h", "1"]  # 2 of 3 detractors; median(2, 6); median(6); C


# --- Who may do what ------------------------------------------------------------------------------

def test_viewers_see_no_cases_and_may_not_change_them(karens_case, member_client, smtp_sink):
    """Cases hold a customer's name, address and conversation: viewers read figures, not cases."""
    organization, case = karens_case["organization"], karens_case["case"]
    viewer = member_client(karens_case["viewer"])
    smtp_sink.wait_for(1)
    before = len(smtp_sink.messages)

    assert viewer.get(f"/o/{organization.slug}/followup/cases/", {"view": "all"}).status_code == 403
    page = viewer.get(case_url(organization, case))
    assert page.status_code == 403 and "Brakes squeak after the repair" not in text(page)
    assert "Follow-up" not in text(viewer.get(f"/o/{organization.slug}/"))  # not in the menu either

    assert viewer.post(case_url(organization, case), {"status": "closed", "reason": "no_action",
                                                      "note": "x"}).status_code == 403
    assert viewer.post(case_url(organization, case, "reply/"), {"text": "Hello"}).status_code == 403
    [case] = cases_of(organization)
    assert case.status == "new" and case.first_action_at is None
    assert [e.kind for e in events_of(organization, case)] == ["opened"]
    assert len(smtp_sink.wait_for(before + 1, timeout=0.5)) == before


def test_another_organizations_admin_gets_404_for_every_id_and_nothing_changes(tree, answer, org_b, member_client,
                                                                              published_survey):
    from followups.models import Case, Rule, Webhook, WebhookDelivery

    organization, survey = tree["organization"], tree["survey"]
    default_rules(organization)
    answer(organization, survey, 2, "Alpha's unhappy customer", employee=tree["erik"])
    [case] = cases_of(organization)
    with tenant_context(organization):
        rule = Rule.objects.get(category="detractor")
        hook = Webhook.objects.create(organization=organization, url="https://example.com/hook",
                                      events=list(Webhook.EVENTS), secret="s" * 48)
    # The twin: Beta has its own case, rule and webhook, and its admin can open those.
    other, other_owner = org_b
    other_survey = published_survey(other, other_owner, languages=("en",))
    default_rules(other)
    answer(other, other_survey, 1, "Beta's unhappy customer")
    [twin] = cases_of(other)
    beta = member_client(other_owner)
    assert beta.get(f"/o/{other.slug}/followup/cases/{twin.pk}/").status_code == 200

    base = f"/o/{other.slug}/followup"
    for method, path, data in [
        ("get", f"{base}/cases/{case.pk}/", None),
        ("post", f"{base}/cases/{case.pk}/", {"status": "closed", "reason": "no_action", "note": "mine now"}),
        ("post", f"{base}/cases/{case.pk}/reply/", {"text": "Hello from Beta"}),
        ("get", f"{base}/rules/{rule.pk}/", None),
        ("post", f"{base}/rules/{rule.pk}/", {"name": "Hijacked", "category": "detractor", "sla_hours": "1",
                                             "sla_clock": "wall"}),
        ("post", f"{base}/rules/{rule.pk}/delete/", {}),
        ("get", f"{base}/webhooks/{hook.pk}/", None),
        ("post", f"{base}/webhooks/{hook.pk}/test/", {}),
        ("post", f"{base}/webhooks/{hook.pk}/delete/", {}),
    ]:
        answered = getattr(beta, method)(path, data) if data is not None else getattr(beta, method)(path)
        assert answered.status_code == 404, (method, path)
    # Beta's admin with Alpha's slug: not a member.
    assert beta.get(f"/o/{organization.slug}/followup/cases/{case.pk}/").status_code == 404
    listing = text(beta.get(f"{base}/cases/", {"view": "all"}))
    assert listed_cases(listing) == [twin.pk] and "Alpha's unhappy customer" not in listing

    [case_after] = cases_of(organization)
    assert (case_after.status, case_after.owner_id, case_after.first_action_at) == ("new", case.owner_id, None)
    assert [e.kind for e in events_of(organization, case)] == ["opened"]
    with tenant_context(organization):
        assert Rule.objects.get(pk=rule.pk).name == rule.name
        assert Webhook.objects.filter(pk=hook.pk).exists()
        assert WebhookDelivery.objects.count() == 0
    assert in_org(other, lambda: Case.objects.count()) == 1


def test_after_resolving_the_customer_can_be_asked_again(tree, invite, answer_personal, member_client):
    """A resolved case offers a re-survey: the contact gets the survey again after the days chosen."""
    from contacts.models import Contact
    from distribution.models import Invitation

    organization, owner, survey = tree["organization"], tree["owner"], tree["survey"]
    default_rules(organization)
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="kunde@x.dk", language="en")
    first, _ = invite(organization, owner, survey, contact)
    answer_personal(first, 2, "Broken bike")
    [case] = cases_of(organization)
    admin = member_client(tree["admin"])
    url = case_url(organization, case)
    early = admin.post(url + "resurvey/", {"days": "10"}, follow=True)
    assert "Resolve the case first" in text(early)
    admin.post(url, {"status": "resolved", "reason": "fixed", "note": "Repaired", "owner": ""})
    page = text(admin.post(url + "resurvey/", {"days": "10"}, follow=True))
    assert "will be asked again on" in page
    with tenant_context(organization):
        again = Invitation.objects.exclude(pk=first.pk).get()
        assert again.contact == contact and again.campaign.name.startswith("Re-survey after follow-up")
        assert (again.scheduled_for - timezone.now()).days >= 9
    assert "Re-survey scheduled" in text(admin.get(url))
