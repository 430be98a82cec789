"""Importing employees from a CSV file through /o/<slug>/employees/import/: the file formats
spreadsheets really write, upserts, department paths, all-or-nothing errors by line number, the
audit log, and tenant isolation."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Department, Employee, Membership, Role, User


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload(client: Client, organization, data: bytes | str, name: str = "employees.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post(f"/o/{organization.slug}/employees/import/",
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def errors_on_page(response) -> list[str]:
    match = re.search(r'<ul class="mb-0" id="import-errors">(.*?)</ul>', response.content.decode(), re.S)
    assert match, "the page lists no import errors"
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def staff(organization) -> list[tuple]:
    """(name, email, title, department path, customer-facing) for every employee."""
    with tenant_context(organization):
        out = []
        for e in Employee.objects.select_related("department__parent").order_by("name"):
            path = None
            if e.department:
                path = e.department.name if e.department.parent is None else (
                    f"{e.department.parent.name} / {e.department.name}")
            out.append((e.name, e.email, e.title, path, e.is_customer_facing))
        return out


def department_paths(organization) -> list[str]:
    with tenant_context(organization):
        return sorted(d.name if d.parent is None else f"{d.parent.name} / {d.name}"
                      for d in Department.objects.select_related("parent"))


def import_entries(organization) -> list[AuditLogEntry]:
    with tenant_context(organization):
        return list(AuditLogEntry.objects.filter(action="employee.imported"))


@pytest.fixture
def owner_client(org_a):
    _, owner = org_a
    return client_for(owner)


# --- File formats ----------------------------------------------------------------------------

def test_comma_separated_file_imports_employees_and_lands_on_the_list(org_a, owner_client):
    organization, _ = org_a
    csv = ("name,email,department,title,customer_facing\n"
           "Anna Berg,anna@example.com,Sales,Seller,yes\n"
           "Bo Dahl,bo@example.com,,Engineer,no\n")

    response = upload(owner_client, organization, csv)

    assert response.status_code == 302
    assert response["Location"] == f"/o/{organization.slug}/employees/"
    listing = owner_client.get(response["Location"]).content.decode()
    assert "Imported: 2 new, 0 updated." in listing
    assert "Anna Berg" in listing
    assert staff(organization) == [
        ("Anna Berg", "anna@example.com", "Seller", "Sales", True),
        ("Bo Dahl", "bo@example.com", "Engineer", None, False),
    ]


def test_semicolon_separated_file_with_windows_line_endings_imports(org_a, owner_client):
    organization, _ = org_a
    csv = ("Name;Email;Title\r\n"
           "Anna Berg;anna@example.com;Head of Sales, Nordics\r\n"
           "Bo Dahl;bo@example.com;Engineer\r\n")

    response = upload(owner_client, organization, csv)

    assert response.status_code == 302
    assert staff(organization) == [
        ("Anna Berg", "anna@example.com", "Head of Sales, Nordics", None, True),
        ("Bo Dahl", "bo@example.com", "Engineer", None, True),
    ]


def test_utf8_file_with_byte_order_mark_imports_the_first_column(org_a, owner_client):
    organization, _ = org_a
    data = "\ufeffname;email\nÅse Ødegård;ase@example.com\n".encode()
    assert data.startswith(b"\xef\xbb\xbf")

    response = upload(owner_client, organization, data)

    assert response.status_code == 302
    assert staff(organization) == [("Åse Ødegård", "ase@example.com", "", None, True)]


def test_windows_1252_file_imports_with_the_right_letters(org_a, owner_client):
    organization, _ = org_a
    data = "name;email;department\nSøren Ærø;soren@example.com;Købmænd\n".encode("cp1252")

    response = upload(owner_client, organization, data)

    assert response.status_code == 302
    assert staff(organization) == [("Søren Ærø", "soren@example.com", "", "Købmænd", True)]


def test_a_quoted_field_with_a_line_break_is_one_value_and_later_line_numbers_count_it(org_a, owner_client):
    organization, _ = org_a
    good = ('name,email,title\n'
            'Anna Berg,anna@example.com,"Head of Sales\nNordics"\n'
            'Bo Dahl,bo@example.com,Engineer\n')
    bad = ('name,email,title\n'           # line 1
           'Anna Berg,anna@example.com,"Head of Sales\n'  # lines 2-3
           'Nordics"\n'
           'Bo Dahl,not-an-email,Engineer\n'  # line 4
           ',carl@example.com,Seller\n')       # line 5

    rejected = upload(owner_client, organization, bad)

    assert rejected.status_code == 200
    assert errors_on_page(rejected) == [
        "Line 4: “not-an-email” is not an email address.",
        "Line 5: the name is empty.",
    ]
    assert staff(organization) == []

    accepted = upload(owner_client, organization, good)
    assert accepted.status_code == 302
    assert staff(organization) == [
        ("Anna Berg", "anna@example.com", "Head of Sales\nNordics", None, True),
        ("Bo Dahl", "bo@example.com", "Engineer", None, True),
    ]


# --- Upserts and departments -----------------------------------------------------------------

def test_a_second_import_updates_employees_by_email_instead_of_duplicating(org_a, owner_client):
    organization, _ = org_a
    upload(owner_client, organization, "name,email,title\nAnna Berg,anna@example.com,Seller\n")

    response = upload(owner_client, organization,
                      "name,email\nAnna Berg-Holm,ANNA@example.com\nBo Dahl,bo@example.com\n")

    assert response.status_code == 302
    assert "Imported: 1 new, 1 updated." in owner_client.get(response["Location"]).content.decode()
    # The title column was absent the second time: the title stays.
    assert staff(organization) == [
        ("Anna Berg-Holm", "anna@example.com", "Seller", None, True),
        ("Bo Dahl", "bo@example.com", "", None, True),
    ]


def test_departments_are_created_from_paths_and_reused(org_a, owner_client):
    organization, _ = org_a
    with tenant_context(organization):
        Department.objects.create(name="Support")
    csv = ("name,email,department\n"
           "Anna,anna@example.com,Sales / Nordic\n"
           "Bo,bo@example.com,sales/nordic\n"
           "Carla,carla@example.com,Sales > Baltic\n"
           "Dan,dan@example.com,SUPPORT\n")

    response = upload(owner_client, organization, csv)

    assert response.status_code == 302
    assert department_paths(organization) == ["Sales", "Sales / Baltic", "Sales / Nordic", "Support"]
    assert [(s[0], s[3]) for s in staff(organization)] == [
        ("Anna", "Sales / Nordic"), ("Bo", "Sales / Nordic"), ("Carla", "Sales / Baltic"), ("Dan", "Support"),
    ]
    with tenant_context(organization):
        assert Department.objects.get(name="Sales").kind == Department.Kind.DEPARTMENT
        assert Department.objects.get(name="Nordic").kind == Department.Kind.TEAM


# --- Bad files -------------------------------------------------------------------------------

def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem_by_line(org_a, owner_client):
    organization, _ = org_a
    with tenant_context(organization):
        Employee.objects.create(name="Existing", email="existing@example.com")
    csv = ("name,email,department,title,customer_facing\n"    # 1
           "Anna Berg,anna@example.com,New Dept,Seller,yes\n"  # 2 fine
           ",nameless@example.com,,,\n"                        # 3 empty name
           "Bo Dahl,bo@@example,,,\n"                          # 4 bad email
           "Carla,Anna@example.com,,,\n"                       # 5 duplicate of line 2
           "Dan,dan@example.com,,,maybe\n"                     # 6 bad customer_facing
           "Eve,eve@example.com,,,yes,extra\n"                 # 7 too many fields
           "Existing Renamed,existing@example.com,,,\n")       # 8 fine

    response = upload(owner_client, organization, csv)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported: 5 problems found." in page
    assert errors_on_page(response) == [
        "Line 3: the name is empty.",
        "Line 4: “bo@@example” is not an email address.",
        "Line 5: the email anna@example.com is also on line 2.",
        "Line 6: customer_facing must be yes or no, not “maybe”.",
        "Line 7: 6 fields where the header has 5.",
    ]
    assert staff(organization) == [("Existing", "existing@example.com", "", None, True)]
    assert department_paths(organization) == []
    assert import_entries(organization) == []


def test_a_file_without_a_name_column_says_what_is_missing(org_a, owner_client):
    organization, _ = org_a

    response = upload(owner_client, organization, "full name,email\nAnna,anna@example.com\n")

    assert response.status_code == 200
    assert errors_on_page(response) == [
        "Line 1: the header lacks the column(s) name. Found: full name, email"
    ]
    assert staff(organization) == []


def test_an_empty_file_is_refused(org_a, owner_client):
    organization, _ = org_a

    response = upload(owner_client, organization, b"  \n")

    assert response.status_code == 200
    assert errors_on_page(response) == ["The file is empty."]


# --- Audit log -------------------------------------------------------------------------------

def test_every_import_leaves_an_audit_log_entry(org_a, owner_client):
    organization, owner = org_a

    upload(owner_client, organization, "name,email\nAnna,anna@example.com\n")
    upload(owner_client, organization, "name,email\nAnna B,anna@example.com\nBo,bo@example.com\n")

    entries = import_entries(organization)
    assert [(e.actor, e.summary) for e in entries] == [
        (owner, "Imported employees: 1 new, 1 updated"),
        (owner, "Imported employees: 1 new, 0 updated"),
    ]
    log = owner_client.get(f"/o/{organization.slug}/audit/").content.decode()
    assert log.count("<code>employee.imported</code>") == 2  # the rows (the filter also offers the action)
    assert "Imported employees: 1 new, 1 updated" in log


# --- Access and tenants ----------------------------------------------------------------------

def test_viewers_cannot_import(org_a):
    organization, _ = org_a
    viewer = User.objects.create_user(email="viewer@example.com", password="pass-Word-123")
    with tenant_context(organization):
        Membership.objects.create(user=viewer, role=Role.VIEWER)
    client = client_for(viewer)

    assert client.get(f"/o/{organization.slug}/employees/import/").status_code == 403
    assert upload(client, organization, "name\nMole\n").status_code == 403
    assert staff(organization) == []


def test_an_import_touches_only_the_current_organizations_employees(org_a, org_b, owner_client):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(b):
        b_sales = Department.objects.create(name="Sales")
        Employee.objects.create(name="Anna in B", email="anna@example.com", title="B title", department=b_sales)
    with tenant_context(a):
        Employee.objects.create(name="Bo in A", email="bo@example.com")
    before_b = staff(b)

    response = upload(owner_client, a, "name,email,department,title\n"
                                       "Anna in A,ANNA@example.com,Sales / Nordic,A title\n"
                                       "Bo Renamed,bo@example.com,,\n")

    assert response.status_code == 302
    assert "Imported: 1 new, 1 updated." in owner_client.get(response["Location"]).content.decode()
    assert staff(a) == [
        ("Anna in A", "anna@example.com", "A title", "Sales / Nordic", True),
        ("Bo Renamed", "bo@example.com", "", None, True),
    ]
    assert staff(b) == before_b
    assert department_paths(b) == ["Sales"]
    assert department_paths(a) == ["Sales", "Sales / Nordic"]
    assert import_entries(b) == []


def test_another_organizations_admin_cannot_import_into_the_organization(org_a, org_b):
    (a, _), (b, owner_b) = org_a, org_b
    intruder = client_for(owner_b)

    assert intruder.get(f"/o/{a.slug}/employees/import/").status_code == 404
    assert upload(intruder, a, "name,email\nMole,mole@example.com\n").status_code == 404

    assert staff(a) == []
    assert staff(b) == []
    assert import_entries(a) == []
