"""The department tree and the employee list, through the pages, including what viewers may do
and what an admin of another organization may not."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry, Department, Employee, Membership, Role, User


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def add_member(organization, role: str) -> User:
    user = User.objects.create_user(email=f"{role}-{organization.slug}@example.com", password="pass-Word-123")
    with tenant_context(organization):
        Membership.objects.create(user=user, role=role)
    return user


def tree_rows(html: str) -> list[tuple[int, str]]:
    """(depth, name) for each department in the tree, in page order."""
    return [(int(depth), name.strip())
            for depth, name in re.findall(r'<span class="tree-depth-(\d+)">([^<]+)<small', html)]


def departments(organization) -> list[tuple[str, str | None]]:
    with tenant_context(organization):
        return sorted((d.name, d.parent.name if d.parent else None) for d in Department.objects.all())


def employees(organization) -> list[tuple]:
    with tenant_context(organization):
        return sorted((e.name, e.email, e.title, e.department_id) for e in Employee.objects.all())


@pytest.fixture
def owner_client(org_a):
    _, owner = org_a
    return client_for(owner)


@pytest.fixture
def admin_of_b(org_b):
    organization, _ = org_b
    return client_for(add_member(organization, Role.ADMIN))


@pytest.fixture
def sales_and_nordic(org_a):
    organization, _ = org_a
    with tenant_context(organization):
        sales = Department.objects.create(name="Sales")
        nordic = Department.objects.create(name="Nordic", parent=sales, kind=Department.Kind.TEAM)
    return sales, nordic


# --- Departments -----------------------------------------------------------------------------

def test_admin_creates_a_department_and_a_team_inside_it(org_a, owner_client):
    organization, _ = org_a
    base = f"/o/{organization.slug}/departments/"

    created = owner_client.post(base + "new/", {"name": "Engineering", "kind": "department"})
    assert created.status_code == 302
    assert created["Location"] == base
    assert "Saved Engineering." in owner_client.get(base).content.decode()
    with tenant_context(organization):
        engineering = Department.objects.get(name="Engineering")

    form = owner_client.get(base + f"new/?parent={engineering.pk}")
    assert form.status_code == 200
    assert re.search(rf'<option value="{engineering.pk}" selected>Engineering</option>', form.content.decode())
    team = owner_client.post(base + "new/", {"name": "Backend", "kind": "team", "parent": engineering.pk})
    assert team.status_code == 302

    with tenant_context(organization):
        backend = Department.objects.get(name="Backend")
        assert backend.parent == engineering
        assert backend.kind == Department.Kind.TEAM
        assert AuditLogEntry.objects.filter(action="department.created").count() == 2


def test_the_tree_lists_departments_depth_first_and_indented(org_a, owner_client):
    organization, _ = org_a
    with tenant_context(organization):
        sales = Department.objects.create(name="Sales")
        engineering = Department.objects.create(name="Engineering")
        Department.objects.create(name="Nordic", parent=sales)
        Department.objects.create(name="Frontend", parent=engineering)
        backend = Department.objects.create(name="Backend", parent=engineering)
        Department.objects.create(name="Databases", parent=backend)

    response = owner_client.get(f"/o/{organization.slug}/departments/")

    assert response.status_code == 200
    assert tree_rows(response.content.decode()) == [
        (1, "Engineering"),
        (2, "Backend"),
        (3, "Databases"),
        (2, "Frontend"),
        (1, "Sales"),
        (2, "Nordic"),
    ]


def test_a_department_cannot_be_moved_inside_its_own_team(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    sales, nordic = sales_and_nordic

    response = owner_client.post(f"/o/{organization.slug}/departments/{sales.pk}/",
                                 {"name": "Sales", "kind": "department", "parent": nordic.pk})

    assert response.status_code == 200
    assert "A department cannot sit inside itself." in response.content.decode()
    assert departments(organization) == [("Nordic", "Sales"), ("Sales", None)]


def test_a_department_cannot_be_its_own_parent(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    sales, _ = sales_and_nordic

    response = owner_client.post(f"/o/{organization.slug}/departments/{sales.pk}/",
                                 {"name": "Sales", "kind": "department", "parent": sales.pk})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert departments(organization) == [("Nordic", "Sales"), ("Sales", None)]


def test_a_department_can_be_renamed_and_moved(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    _, nordic = sales_and_nordic
    with tenant_context(organization):
        emea = Department.objects.create(name="EMEA")

    response = owner_client.post(f"/o/{organization.slug}/departments/{nordic.pk}/",
                                 {"name": "Nordics", "kind": "team", "parent": emea.pk})

    assert response.status_code == 302
    assert departments(organization) == [("EMEA", None), ("Nordics", "EMEA"), ("Sales", None)]


def test_a_second_department_with_the_same_name_at_the_same_level_is_refused(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a

    response = owner_client.post(f"/o/{organization.slug}/departments/new/", {"name": "sales", "kind": "department"})

    assert response.status_code == 200
    assert departments(organization) == [("Nordic", "Sales"), ("Sales", None)]


def test_deleting_a_department_with_teams_is_refused_with_a_message(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    sales, _ = sales_and_nordic

    response = owner_client.post(f"/o/{organization.slug}/departments/{sales.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert "Sales has teams inside it; move or delete those first." in response.content.decode()
    assert departments(organization) == [("Nordic", "Sales"), ("Sales", None)]
    with tenant_context(organization):
        assert not AuditLogEntry.objects.filter(action="department.deleted").exists()


def test_deleting_a_department_without_teams_keeps_its_employees(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    _, nordic = sales_and_nordic
    with tenant_context(organization):
        Employee.objects.create(name="Siri", department=nordic)

    response = owner_client.post(f"/o/{organization.slug}/departments/{nordic.pk}/delete/", follow=True)

    assert "Deleted Nordic." in response.content.decode()
    assert departments(organization) == [("Sales", None)]
    assert employees(organization) == [("Siri", "", "", None)]


# --- Employees -------------------------------------------------------------------------------

def test_admin_adds_edits_and_deletes_an_employee(org_a, owner_client, sales_and_nordic):
    organization, _ = org_a
    _, nordic = sales_and_nordic
    base = f"/o/{organization.slug}/employees/"

    created = owner_client.post(base + "new/", {
        "name": "Ingrid Lund", "email": "ingrid@example.com", "title": "Account manager",
        "department": nordic.pk, "is_customer_facing": "on", "is_active": "on",
    })
    assert created.status_code == 302
    listing = owner_client.get(created["Location"]).content.decode()
    assert "Saved Ingrid Lund." in listing
    assert "ingrid@example.com" in listing
    with tenant_context(organization):
        ingrid = Employee.objects.get(email="ingrid@example.com")
    assert ingrid.department == nordic
    assert ingrid.is_customer_facing

    edited = owner_client.post(base + f"{ingrid.pk}/", {
        "name": "Ingrid Lund", "email": "ingrid@example.com", "title": "Sales director",
        "department": nordic.pk, "is_active": "on",
    })
    assert edited.status_code == 302
    ingrid.refresh_from_db()
    assert ingrid.title == "Sales director"
    assert not ingrid.is_customer_facing

    deleted = owner_client.post(base + f"{ingrid.pk}/delete/", follow=True)
    assert "Deleted Ingrid Lund." in deleted.content.decode()
    assert employees(organization) == []
    with tenant_context(organization):
        actions = sorted(AuditLogEntry.objects.filter(target_type="employee").values_list("action", flat=True))
    assert actions == ["employee.created", "employee.deleted", "employee.updated"]


def test_an_employee_without_a_name_is_refused(org_a, owner_client):
    organization, _ = org_a

    response = owner_client.post(f"/o/{organization.slug}/employees/new/", {"name": "", "email": "x@example.com"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert employees(organization) == []


def test_adding_an_employee_with_an_email_already_used_is_refused(org_a, owner_client):
    organization, _ = org_a
    with tenant_context(organization):
        Employee.objects.create(name="Ingrid", email="ingrid@example.com")

    response = owner_client.post(f"/o/{organization.slug}/employees/new/",
                                 {"name": "Other Ingrid", "email": "Ingrid@example.com", "is_active": "on"})

    assert response.status_code == 200
    assert employees(organization) == [("Ingrid", "ingrid@example.com", "", None)]


def test_the_same_employee_email_may_exist_in_two_organizations(org_a, org_b, owner_client):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(b):
        Employee.objects.create(name="Ingrid in B", email="ingrid@example.com")

    response = owner_client.post(f"/o/{a.slug}/employees/new/",
                                 {"name": "Ingrid in A", "email": "ingrid@example.com", "is_active": "on"})

    assert response.status_code == 302
    assert employees(a) == [("Ingrid in A", "ingrid@example.com", "", None)]
    assert employees(b) == [("Ingrid in B", "ingrid@example.com", "", None)]


@pytest.fixture
def staff(org_a, sales_and_nordic):
    organization, _ = org_a
    sales, nordic = sales_and_nordic
    with tenant_context(organization):
        Employee.objects.create(name="Anna Berg", email="anna@example.com", title="Engineer")
        Employee.objects.create(name="Bo Dahl", email="bo@example.com", title="Account manager", department=nordic)
        Employee.objects.create(name="Carla Eng", email="carla@example.com", title="Seller", department=sales)
    return sales, nordic


def test_employee_search_with_htmx_returns_only_the_matching_rows(org_a, owner_client, staff):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/employees/", {"q": "account"},
                                headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<nav" not in html
    assert "1 employee" in html
    assert "Bo Dahl" in html
    assert "Anna Berg" not in html
    assert "Carla Eng" not in html


def test_employee_search_without_htmx_returns_the_whole_page(org_a, owner_client, staff):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/employees/", {"q": "anna@"})

    html = response.content.decode()
    assert "<html" in html
    assert 'value="anna@"' in html
    assert "Anna Berg" in html
    assert "Bo Dahl" not in html


def test_employee_list_filters_by_department(org_a, owner_client, staff):
    organization, _ = org_a
    sales, nordic = staff

    nordic_rows = owner_client.get(f"/o/{organization.slug}/employees/", {"department": nordic.pk},
                                   headers={"HX-Request": "true"}).content.decode()
    sales_rows = owner_client.get(f"/o/{organization.slug}/employees/", {"department": sales.pk},
                                  headers={"HX-Request": "true"}).content.decode()
    all_rows = owner_client.get(f"/o/{organization.slug}/employees/", headers={"HX-Request": "true"}).content.decode()

    assert "Bo Dahl" in nordic_rows
    assert "Carla Eng" not in nordic_rows
    assert "Anna Berg" not in nordic_rows
    assert "Carla Eng" in sales_rows
    assert "Bo Dahl" not in sales_rows
    assert "3 employees" in all_rows


def test_employee_list_finds_nothing_for_another_organizations_department(org_a, org_b, owner_client, staff):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(b):
        foreign = Department.objects.create(name="Foreign")
        Employee.objects.create(name="Foreign Person", department=foreign)

    rows = owner_client.get(f"/o/{a.slug}/employees/", {"department": foreign.pk},
                            headers={"HX-Request": "true"}).content.decode()

    assert "Foreign Person" not in rows
    assert "No employees match." in rows


# --- Viewers ---------------------------------------------------------------------------------

def test_viewers_see_the_lists_but_cannot_change_anything(org_a, staff):
    organization, _ = org_a
    sales, _ = staff
    with tenant_context(organization):
        anna = Employee.objects.get(email="anna@example.com")
    viewer = client_for(add_member(organization, Role.VIEWER))
    base = f"/o/{organization.slug}"

    tree = viewer.get(f"{base}/departments/")
    assert tree.status_code == 200
    assert (1, "Sales") in tree_rows(tree.content.decode())
    assert "Add a department" not in tree.content.decode()
    listing = viewer.get(f"{base}/employees/")
    assert listing.status_code == 200
    assert "Anna Berg" in listing.content.decode()
    assert "Add employee" not in listing.content.decode()

    assert viewer.get(f"{base}/departments/new/").status_code == 403
    assert viewer.post(f"{base}/departments/new/", {"name": "Shadow", "kind": "department"}).status_code == 403
    assert viewer.post(f"{base}/departments/{sales.pk}/", {"name": "Renamed", "kind": "department"}).status_code == 403
    assert viewer.post(f"{base}/departments/{sales.pk}/delete/").status_code == 403
    assert viewer.get(f"{base}/employees/new/").status_code == 403
    assert viewer.post(f"{base}/employees/new/", {"name": "Shadow", "is_active": "on"}).status_code == 403
    assert viewer.post(f"{base}/employees/{anna.pk}/", {"name": "Renamed", "is_active": "on"}).status_code == 403
    assert viewer.post(f"{base}/employees/{anna.pk}/delete/").status_code == 403

    assert departments(organization) == [("Nordic", "Sales"), ("Sales", None)]
    assert [e[0] for e in employees(organization)] == ["Anna Berg", "Bo Dahl", "Carla Eng"]


# --- Cross-tenant twins ----------------------------------------------------------------------

def test_another_organizations_admin_cannot_touch_the_departments(org_a, org_b, admin_of_b, sales_and_nordic):
    (a, _), (b, _) = org_a, org_b
    sales, nordic = sales_and_nordic

    for slug in (a.slug, b.slug):
        assert admin_of_b.get(f"/o/{slug}/departments/{sales.pk}/").status_code == 404
        assert admin_of_b.post(f"/o/{slug}/departments/{sales.pk}/",
                               {"name": "Hijacked", "kind": "department"}).status_code == 404
        assert admin_of_b.post(f"/o/{slug}/departments/{nordic.pk}/delete/").status_code == 404
    assert admin_of_b.get(f"/o/{a.slug}/departments/").status_code == 404
    planted = admin_of_b.post(f"/o/{a.slug}/departments/new/", {"name": "Planted", "kind": "department"})
    assert planted.status_code == 404

    assert departments(a) == [("Nordic", "Sales"), ("Sales", None)]
    assert departments(b) == []


def test_another_organizations_admin_cannot_hang_a_team_under_a_foreign_department(
        org_a, org_b, admin_of_b, sales_and_nordic):
    (a, _), (b, _) = org_a, org_b
    sales, _ = sales_and_nordic

    response = admin_of_b.post(f"/o/{b.slug}/departments/new/",
                               {"name": "Mole", "kind": "team", "parent": sales.pk})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert departments(a) == [("Nordic", "Sales"), ("Sales", None)]
    assert departments(b) == []


def test_another_organizations_admin_cannot_touch_the_employees(org_a, org_b, admin_of_b, staff):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(a):
        anna = Employee.objects.get(email="anna@example.com")
    before = employees(a)

    for slug in (a.slug, b.slug):
        assert admin_of_b.get(f"/o/{slug}/employees/{anna.pk}/").status_code == 404
        assert admin_of_b.post(f"/o/{slug}/employees/{anna.pk}/",
                               {"name": "Hijacked", "is_active": "on"}).status_code == 404
        assert admin_of_b.post(f"/o/{slug}/employees/{anna.pk}/delete/").status_code == 404
    assert admin_of_b.get(f"/o/{a.slug}/employees/").status_code == 404
    assert admin_of_b.post(f"/o/{a.slug}/employees/new/", {"name": "Planted", "is_active": "on"}).status_code == 404
    own_list = admin_of_b.get(f"/o/{b.slug}/employees/", {"q": "anna"}).content.decode()
    assert "Anna Berg" not in own_list

    assert employees(a) == before
    assert employees(b) == []


def test_another_organizations_admin_cannot_put_an_employee_in_a_foreign_department(
        org_a, org_b, admin_of_b, sales_and_nordic):
    (a, _), (b, _) = org_a, org_b
    sales, _ = sales_and_nordic

    response = admin_of_b.post(f"/o/{b.slug}/employees/new/",
                               {"name": "Mole", "department": sales.pk, "is_active": "on"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert employees(b) == []
    with tenant_context(a):
        assert not sales.employees.exists()


def test_an_employee_can_be_linked_to_a_member_account_but_not_to_an_outsider(org_a, org_b, member_client):
    (organization, owner), (_, outsider) = org_a, org_b
    client = member_client(owner)
    url = f"/o/{organization.slug}/employees/new/"
    refused = client.post(url, {"name": "Nina", "email": "nina@example.com", "user": outsider.pk,
                                "is_customer_facing": "on", "is_active": "on"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    client.post(url, {"name": "Nina", "email": "nina@example.com", "user": owner.pk,
                      "is_customer_facing": "on", "is_active": "on"})
    with tenant_context(organization):
        assert Employee.objects.get(email="nina@example.com").user == owner
