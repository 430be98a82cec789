"""The contact pages under /o/<slug>/contacts/: the filtered list and its htmx partial, saved
segments, adding/editing/deleting a contact, the CSV export, the suppression list, roles, and
tenant isolation (another organization's ids answer 404 and change nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact, ContactImport, Segment, Suppression, Tag
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee, Role

from .helpers import client_for, contacts, page_text, snapshot, tags_of, upload

# --- Helpers -----------------------------------------------------------------------------------------


def listed(response) -> dict[str, bool]:
    """{email: shown as suppressed} for each row of the contact table, in page order."""
    page = response.content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body, "the page has no contact table"
    rows = {}
    for cell in re.findall(r"<tr>\s*<td>(.*?)</td>", body.group(1), re.S):
        if 'colspan="7"' in cell:
            continue
        suppressed = "badge text-bg-danger" in cell
        email = html.unescape(re.sub(r"<[^>]+>", "", cell)).replace("suppressed", "").strip()
        rows[email] = suppressed
    return rows


def count_line(response) -> str:
    return re.search(r'<p class="text-muted small">(.*?)</p>', page_text(response), re.S).group(1).strip()


def segment_form_fields(response, organization) -> dict[str, str]:
    """The hidden filter inputs of the "Save segment" form, as the page renders them."""
    page = response.content.decode()
    form = re.search(rf'<form method="post" action="/o/{organization.slug}/contacts/segments/new/"(.*?)</form>',
                     page, re.S)
    assert form, "the page has no Save segment form"
    return {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                                                        form.group(1)) if k != "csrfmiddlewaretoken"}


def export_link(response) -> str:
    return html.unescape(re.search(r'href="([^"]*/contacts/export\.csv[^"]*)"', response.content.decode()).group(1))


def read_export(response, organization) -> bytes:
    """The streamed CSV, read as a browser would: after the view has returned, with no
    organization in context (the view's generator sets its own)."""
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def export_table(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "the export has no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline=""), delimiter=";"))


@pytest.fixture
def people(org_a):
    """Org A's contacts for the list and export tests."""
    organization, _ = org_a
    with tenant_context(organization):
        sales = Department.objects.create(name="Sales")
        support = Department.objects.create(name="Support")
        kam = Employee.objects.create(name="Karen", email="karen@alpha.dk")
        vip = Tag.objects.create(name="VIP")
        nordic = Tag.objects.create(name="Nordic")
        anna = Contact.objects.create(email="anna@example.com", name="Anna Berg", language="da", department=sales,
                                      employee=kam, region="North", revenue_12m=Decimal("1234.50"), currency="DKK",
                                      customer_since=dt.date(2020, 1, 31), attributes={"Kundenummer": "K-1"})
        anna.tags.set([vip, nordic])
        bo = Contact.objects.create(email="bo@example.se", name="Bo Ek", language="sv", department=support,
                                    region="East")
        bo.tags.set([nordic])
        carl = Contact.objects.create(email="carl@example.com", name="Carl Dahl", language="da", department=support)
        Suppression.objects.create(email="CARL@example.com", reason=Suppression.Reason.UNSUBSCRIBED)
    return {"sales": sales, "support": support, "vip": vip, "nordic": nordic, "anna": anna, "bo": bo, "carl": carl}


# --- The list and its filters -------------------------------------------------------------------------

def test_the_list_shows_every_contact_with_its_suppression_badge(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/contacts/")

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert count_line(response) == "3 contacts"
    assert listed(response) == {"anna@example.com": False, "bo@example.se": False, "carl@example.com": True}
    text = page_text(response)
    assert "1234.50 DKK" in text
    assert "Anna Berg" in text


@pytest.mark.parametrize(("query", "expected"), [
    ("q=berg", ["anna@example.com"]),
    ("q=EXAMPLE.COM", ["anna@example.com", "carl@example.com"]),
    ("q=nobody", []),
    ("language=da", ["anna@example.com", "carl@example.com"]),
    ("language=sv", ["bo@example.se"]),
    ("department={support}", ["bo@example.se", "carl@example.com"]),
    ("tag={vip}", ["anna@example.com"]),
    ("tag={nordic}", ["anna@example.com", "bo@example.se"]),
    ("region=north", ["anna@example.com"]),
    ("suppressed=yes", ["carl@example.com"]),
    ("suppressed=no", ["anna@example.com", "bo@example.se"]),
    ("language=da&suppressed=no&department={sales}", ["anna@example.com"]),
    ("tag={nordic}&q=ek", ["bo@example.se"]),
])
def test_filters_narrow_the_list(org_a, owner_client, people, query, expected):
    organization, _ = org_a
    query = query.format(**{k: v.pk for k, v in people.items()})

    response = owner_client.get(f"/o/{organization.slug}/contacts/?{query}")

    assert response.status_code == 200
    assert list(listed(response)) == expected
    n = len(expected)
    assert count_line(response) == f"{n} contact{'' if n == 1 else 's'}"


def test_an_empty_result_says_no_contacts_match(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/contacts/?q=zzz")

    assert "No contacts match." in page_text(response)
    assert count_line(response) == "0 contacts"


def test_the_filter_form_keeps_the_chosen_filters(org_a, owner_client, people):
    organization, _ = org_a

    page = owner_client.get(f"/o/{organization.slug}/contacts/?q=berg&language=da&tag={people['vip'].pk}"
                            f"&suppressed=no").content.decode()

    assert 'name="q" value="berg"' in page
    assert '<option value="da" selected>' in page
    assert f'<option value="{people["vip"].pk}" selected>VIP</option>' in page
    assert '<option value="no" selected>' in page


def test_an_htmx_request_returns_only_the_rows(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/contacts/?language=sv", headers={"HX-Request": "true"})

    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "<form" not in fragment
    assert fragment.lstrip().startswith('<p class="text-muted small">')
    assert list(listed(response)) == ["bo@example.se"]
    assert count_line(response) == "1 contact"


def test_a_tampered_filter_value_does_not_break_the_list(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/contacts/?department=abc&tag=x")

    assert response.status_code in (200, 400)


# --- Segments -----------------------------------------------------------------------------------------

def test_saving_the_filters_as_a_segment_and_opening_it_applies_them(org_a, owner_client, people):
    organization, _ = org_a
    filtered = owner_client.get(f"/o/{organization.slug}/contacts/?language=da&suppressed=no")
    fields = segment_form_fields(filtered, organization)
    assert fields == {"language": "da", "suppressed": "no"}

    saved = owner_client.post(f"/o/{organization.slug}/contacts/segments/new/",
                              {**fields, "name": "Reachable Danes"}, follow=True)

    assert saved.redirect_chain == [(f"/o/{organization.slug}/contacts/", 302)]
    assert "Saved the segment “Reachable Danes”." in page_text(saved)
    with tenant_context(organization):
        segment = Segment.objects.get()
    assert (segment.name, segment.filters) == ("Reachable Danes", {"language": "da", "suppressed": "no"})
    assert f'href="?segment={segment.pk}">Reachable Danes</a>' in saved.content.decode()

    opened = owner_client.get(f"/o/{organization.slug}/contacts/?segment={segment.pk}")

    assert list(listed(opened)) == ["anna@example.com"]
    assert '<option value="da" selected>' in opened.content.decode()
    # The segment follows the data: a new reachable Dane shows up in it.
    with tenant_context(organization):
        Contact.objects.create(email="dora@example.com", language="da")
    assert list(listed(owner_client.get(f"/o/{organization.slug}/contacts/?segment={segment.pk}"))) == [
        "anna@example.com", "dora@example.com"]


def test_a_segment_needs_a_name(org_a, owner_client, people):
    organization, _ = org_a

    owner_client.post(f"/o/{organization.slug}/contacts/segments/new/", {"language": "da", "name": ""})

    with tenant_context(organization):
        assert not Segment.objects.exists()


def test_deleting_a_segment_removes_it_from_the_list(org_a, owner_client, people):
    organization, _ = org_a
    with tenant_context(organization):
        segment = Segment.objects.create(name="Swedes", filters={"language": "sv"})

    response = owner_client.post(f"/o/{organization.slug}/contacts/segments/{segment.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert "Swedes" not in page_text(response)
    with tenant_context(organization):
        assert not Segment.objects.exists()


# --- One contact: add, edit, delete ---------------------------------------------------------------------

def contact_form(**values) -> dict:
    form = {"email": "", "name": "", "language": "", "department": "", "employee": "", "region": "",
            "product": "", "customer_since": "", "revenue_12m": "", "currency": "", "tag_names": ""}
    form.update(values)
    return form


def test_an_admin_adds_a_contact_with_tags_from_a_comma_list(org_a, owner_client, people):
    organization, _ = org_a
    assert owner_client.get(f"/o/{organization.slug}/contacts/new/").status_code == 200

    response = owner_client.post(f"/o/{organization.slug}/contacts/new/", contact_form(
        email="  Dora@Example.COM ", name="Dora Holm", language="nb", department=people["sales"].pk,
        region="West", customer_since="2024-05-01", revenue_12m="99.95", currency="nok",
        tag_names="vip, New customer , ,Nordic"), follow=True)

    assert response.redirect_chain == [(f"/o/{organization.slug}/contacts/", 302)]
    assert "Saved dora@example.com." in page_text(response)
    assert "dora@example.com" in listed(response)
    dora = contacts(organization)["dora@example.com"]
    assert (dora.name, dora.language, dora.department, dora.region, dora.customer_since, dora.revenue_12m,
            dora.currency) == ("Dora Holm", "nb", people["sales"], "West", dt.date(2024, 5, 1), Decimal("99.95"),
                               "NOK")
    # "vip" reuses the existing VIP tag; "New customer" is created.
    assert tags_of(dora) == ["New customer", "Nordic", "VIP"]
    with tenant_context(organization):
        assert sorted(Tag.objects.values_list("name", flat=True)) == ["New customer", "Nordic", "VIP"]


def test_a_duplicate_email_is_refused_with_a_message(org_a, owner_client, people):
    organization, _ = org_a

    created = owner_client.post(f"/o/{organization.slug}/contacts/new/", contact_form(email="ANNA@example.com"))
    edited = owner_client.post(f"/o/{organization.slug}/contacts/{people['bo'].pk}/",
                               contact_form(email="Anna@Example.com", name="Bo Ek"))

    for response in (created, edited):
        assert response.status_code == 200
        assert "Another contact already has this email address." in page_text(response)
    found = contacts(organization)
    assert sorted(found) == ["anna@example.com", "bo@example.se", "carl@example.com"]
    assert found["bo@example.se"].name == "Bo Ek"


def test_an_admin_edits_a_contact_and_its_tags(org_a, owner_client, people):
    organization, _ = org_a
    url = f"/o/{organization.slug}/contacts/{people['anna'].pk}/"
    form_page = owner_client.get(url)
    assert form_page.status_code == 200
    assert 'value="Nordic, VIP"' in form_page.content.decode() or 'value="VIP, Nordic"' in form_page.content.decode()

    response = owner_client.post(url, contact_form(email="anna@example.com", name="Anna Berg-Holm", language="sv",
                                                   tag_names="Nordic"))

    assert response.status_code == 302
    anna = contacts(organization)["anna@example.com"]
    assert (anna.name, anna.language, anna.department, anna.revenue_12m) == ("Anna Berg-Holm", "sv", None, None)
    assert tags_of(anna) == ["Nordic"]
    with tenant_context(organization):
        assert Contact.objects.count() == 3


def test_an_admin_deletes_a_contact(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.post(f"/o/{organization.slug}/contacts/{people['bo'].pk}/delete/", follow=True)

    assert "Deleted bo@example.se." in page_text(response)
    assert list(listed(response)) == ["anna@example.com", "carl@example.com"]
    assert owner_client.get(f"/o/{organization.slug}/contacts/{people['bo'].pk}/").status_code == 404
    # Deleting is a POST only.
    assert owner_client.get(f"/o/{organization.slug}/contacts/{people['anna'].pk}/delete/").status_code == 405
    assert "anna@example.com" in contacts(organization)


# --- The CSV export ----------------------------------------------------------------------------------

def test_the_export_can_be_downloaded(org_a, owner_client, people):
    organization, _ = org_a

    response = owner_client.get(f"/o/{organization.slug}/contacts/export.csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert b"anna@example.com" in body


def test_the_export_is_semicolon_separated_utf8_with_bom_and_nordic_decimals(org_a, owner_client, people):
    organization, _ = org_a
    list_page = owner_client.get(f"/o/{organization.slug}/contacts/")

    response = owner_client.get(export_link(list_page))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    body = read_export(response, organization)
    assert body.split(b"\r\n")[0] == (b"\xef\xbb\xbfemail;name;language;department;employee;region;product;"
                                      b"customer_since;revenue_12m;currency;tags;attributes")
    table = export_table(body)
    assert table[1:] == [
        ["anna@example.com", "Anna Berg", "da", "Sales", "karen@alpha.dk", "North", "", "31-01-2020", "1234,50",
         "DKK", table[1][10], "Kundenummer=K-1"],
        ["bo@example.se", "Bo Ek", "sv", "Support", "", "East", "", "", "", "", "Nordic", ""],
        ["carl@example.com", "Carl Dahl", "da", "Support", "", "", "", "", "", "", "", ""],
    ]
    assert sorted(table[1][10].split(", ")) == ["Nordic", "VIP"]


def test_the_export_follows_the_filters_of_the_list(org_a, owner_client, people):
    organization, _ = org_a
    list_page = owner_client.get(f"/o/{organization.slug}/contacts/?language=da&suppressed=no")
    link = export_link(list_page)
    assert "language=da" in link and "suppressed=no" in link

    table = export_table(read_export(owner_client.get(link), organization))

    assert [row[0] for row in table[1:]] == ["anna@example.com"]


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+45 1234", "-2+3",
                                       "@SUM(A1:A9)", "=1+1", "\n=1+1", "\t=1+1", "\r=1+1"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_a_quote(org_a, owner_client,
                                                                                     dangerous):
    organization, _ = org_a
    with tenant_context(organization):
        Contact.objects.create(email="mallory@example.com", name=dangerous, region=dangerous,
                               attributes={"note": "x"})
        Contact.objects.create(email="plain@example.com", name="Plain = fine", region="North")

    table = export_table(read_export(owner_client.get(f"/o/{organization.slug}/contacts/export.csv"),
                                     organization))

    mallory, plain = table[1], table[2]
    assert mallory[1] == "'" + dangerous
    assert mallory[5] == "'" + dangerous
    assert (plain[1], plain[5]) == ("Plain = fine", "North")
    for row in table[1:]:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
def test_only_admins_export_the_contacts(org_a, add_member, people, role):
    organization, _ = org_a
    member = client_for(add_member(organization, role))
    response = member.get(f"/o/{organization.slug}/contacts/export.csv")
    assert response.status_code == 403 and b"anna@example.com" not in response.content


def test_exporting_an_open_segment_exports_only_that_segment(org_a, owner_client, people):
    organization, _ = org_a
    with tenant_context(organization):
        segment = Segment.objects.create(name="Swedes", filters={"language": "sv"})
    list_page = owner_client.get(f"/o/{organization.slug}/contacts/?segment={segment.pk}")
    assert list(listed(list_page)) == ["bo@example.se"]

    table = export_table(read_export(owner_client.get(export_link(list_page)), organization))

    assert [row[0] for row in table[1:]] == ["bo@example.se"]


# --- The suppression list -------------------------------------------------------------------------------

def test_an_admin_suppresses_an_address_and_the_contact_list_shows_it(org_a, owner_client, people):
    organization, _ = org_a
    page = owner_client.get(f"/o/{organization.slug}/contacts/suppressions/")
    assert page.status_code == 200
    assert "CARL@example.com · Unsubscribed" in page_text(page)

    response = owner_client.post(f"/o/{organization.slug}/contacts/suppressions/",
                                 {"email": " ANNA@Example.com", "reason": "manual"}, follow=True)

    assert response.redirect_chain == [(f"/o/{organization.slug}/contacts/suppressions/", 302)]
    text = page_text(response)
    assert "anna@example.com will not be emailed again." in text.lower()
    assert "anna@example.com · Added by an admin" in text
    listing = owner_client.get(f"/o/{organization.slug}/contacts/")
    assert listed(listing) == {"anna@example.com": True, "bo@example.se": False, "carl@example.com": True}
    assert list(listed(owner_client.get(f"/o/{organization.slug}/contacts/?suppressed=no"))) == ["bo@example.se"]

    # Adding it again keeps one entry.
    owner_client.post(f"/o/{organization.slug}/contacts/suppressions/", {"email": "anna@example.com",
                                                                         "reason": "bounced"})
    with tenant_context(organization):
        assert Suppression.objects.filter(email__iexact="anna@example.com").count() == 1


def test_an_invalid_address_is_not_suppressed(org_a, owner_client):
    organization, _ = org_a

    response = owner_client.post(f"/o/{organization.slug}/contacts/suppressions/",
                                 {"email": "not-an-email", "reason": "manual"})

    assert response.status_code == 200
    assert "Enter a valid email address." in page_text(response)
    with tenant_context(organization):
        assert not Suppression.objects.exists()


def test_removing_a_suppression_lets_the_contact_be_reached_again(org_a, owner_client, people):
    organization, _ = org_a
    with tenant_context(organization):
        suppression = Suppression.objects.get()

    response = owner_client.post(f"/o/{organization.slug}/contacts/suppressions/{suppression.pk}/delete/",
                                 follow=True)

    assert "CARL@example.com may be emailed again." in page_text(response)
    assert "Nobody is suppressed." in page_text(response)
    assert listed(owner_client.get(f"/o/{organization.slug}/contacts/")) == {
        "anna@example.com": False, "bo@example.se": False, "carl@example.com": False}


# --- Roles -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
def test_viewers_and_managers_see_no_contacts_and_every_write_is_forbidden(org_a, add_member, people, role,
                                                                          owner_client):
    organization, _ = org_a
    slug = organization.slug
    with tenant_context(organization):
        segment = Segment.objects.create(name="Danes", filters={"language": "da"})
        suppression = Suppression.objects.get()
    uploaded = upload(owner_client, organization, "email\nnew@example.com\n")
    import_url = uploaded["Location"]
    client = client_for(add_member(organization, role))
    before = snapshot(organization)

    # The contacts directory is for admins: its lists answer 403 and name nobody.
    for page in (client.get(f"/o/{slug}/contacts/"), client.get(f"/o/{slug}/contacts/?segment={segment.pk}"),
                 client.get(f"/o/{slug}/contacts/suppressions/")):
        assert page.status_code == 403
        assert "anna@example.com" not in page_text(page) and "CARL@example.com" not in page_text(page)
    assert "/contacts/" not in client.get(f"/o/{slug}/").content.decode()  # nor in the menu

    # Every write answers 403.
    forbidden = [
        client.get(f"/o/{slug}/contacts/new/"),
        client.post(f"/o/{slug}/contacts/new/", contact_form(email="mole@example.com")),
        client.get(f"/o/{slug}/contacts/{people['anna'].pk}/"),
        client.post(f"/o/{slug}/contacts/{people['anna'].pk}/", contact_form(email="anna@example.com", name="X")),
        client.post(f"/o/{slug}/contacts/{people['anna'].pk}/delete/"),
        client.get(f"/o/{slug}/contacts/import/"),
        client.post(f"/o/{slug}/contacts/import/",
                    {"file": SimpleUploadedFile("c.csv", b"email\nmole@example.com\n")}),
        client.get(import_url),
        client.post(import_url, {"map-0": "email"}),
        client.post(f"/o/{slug}/contacts/suppressions/", {"email": "bo@example.se", "reason": "manual"}),
        client.post(f"/o/{slug}/contacts/suppressions/{suppression.pk}/delete/"),
        client.post(f"/o/{slug}/contacts/segments/new/", {"name": "Mine", "language": "sv"}),
        client.post(f"/o/{slug}/contacts/segments/{segment.pk}/delete/"),
    ]
    assert [r.status_code for r in forbidden] == [403] * len(forbidden)
    assert snapshot(organization) == before
    with tenant_context(organization):
        assert ContactImport.objects.get().status == ContactImport.Status.MAPPING


def test_an_admin_who_is_not_the_owner_can_write(org_a, add_member, people):
    organization, _ = org_a
    admin = client_for(add_member(organization, Role.ADMIN))

    response = admin.post(f"/o/{organization.slug}/contacts/new/", contact_form(email="dora@example.com"))

    assert response.status_code == 302
    assert "dora@example.com" in contacts(organization)


# --- Tenants -----------------------------------------------------------------------------------------------

@pytest.fixture
def twins(org_a, org_b, owner_client, people):
    """Org A's segment, import and suppression next to org B with a contact of the same email."""
    (a, _), (b, _) = org_a, org_b
    with tenant_context(a):
        segment = Segment.objects.create(name="A's Danes", filters={"language": "da"})
        suppression = Suppression.objects.get()
    record_url = upload(owner_client, a, "email\nnew@example.com\n")["Location"]
    with tenant_context(b):
        Contact.objects.create(email="anna@example.com", name="Anna in B", language="da")
        Department.objects.create(name="B Sales")
    with tenant_context(a):
        record = ContactImport.objects.get()
    assert record_url.endswith(f"/{record.pk}/")
    return {"segment": segment, "suppression": suppression, "import": record}


def test_another_organizations_admin_gets_404_for_this_organizations_ids_and_nothing_changes(
        org_a, org_b, people, twins):
    (a, _), (b, owner_b) = org_a, org_b
    intruder = client_for(owner_b)
    anna, segment, suppression, record = people["anna"], twins["segment"], twins["suppression"], twins["import"]
    before_a, before_b = snapshot(a), snapshot(b)

    for slug in (b.slug, a.slug):
        responses = {
            "contact": intruder.get(f"/o/{slug}/contacts/{anna.pk}/"),
            "contact edit": intruder.post(f"/o/{slug}/contacts/{anna.pk}/",
                                          contact_form(email="anna@example.com", name="Hijacked")),
            "contact delete": intruder.post(f"/o/{slug}/contacts/{anna.pk}/delete/"),
            "segment": intruder.get(f"/o/{slug}/contacts/?segment={segment.pk}"),
            "segment delete": intruder.post(f"/o/{slug}/contacts/segments/{segment.pk}/delete/"),
            "import": intruder.get(f"/o/{slug}/contacts/import/{record.pk}/"),
            "import mapping": intruder.post(f"/o/{slug}/contacts/import/{record.pk}/", {"map-0": "email"}),
            "suppression delete": intruder.post(f"/o/{slug}/contacts/suppressions/{suppression.pk}/delete/"),
        }
        assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 404), slug

    # Org A's own pages answer 404 to B's admin altogether.
    for path in ("", "export.csv", "new/", "import/", "suppressions/"):
        assert intruder.get(f"/o/{a.slug}/contacts/{path}").status_code == 404, path
    assert intruder.post(f"/o/{a.slug}/contacts/suppressions/", {"email": "x@example.com",
                                                                 "reason": "manual"}).status_code == 404
    assert snapshot(a) == before_a
    assert snapshot(b) == before_b


def test_another_organizations_list_and_export_never_show_this_organizations_contacts(org_a, org_b, people,
                                                                                      twins):
    (_a, _), (b, owner_b) = org_a, org_b
    client_b = client_for(owner_b)

    listing = client_b.get(f"/o/{b.slug}/contacts/")
    table = export_table(read_export(client_b.get(f"/o/{b.slug}/contacts/export.csv"), b))

    assert listed(listing) == {"anna@example.com": False}  # B's own Anna, not suppressed by A's list
    assert "Anna Berg" not in page_text(listing)
    assert "VIP" not in page_text(listing) and "Support" not in page_text(listing)
    assert table[1:] == [["anna@example.com", "Anna in B", "da", "", "", "", "", "", "", "", "", ""]]
    # Org A's tag and department ids as filters on B's list find nothing of A's.
    assert listed(client_b.get(f"/o/{b.slug}/contacts/?tag={people['vip'].pk}")) == {}
    assert listed(client_b.get(f"/o/{b.slug}/contacts/?department={people['sales'].pk}")) == {}


def test_a_contact_form_cannot_point_at_another_organizations_department(org_a, org_b, owner_client, people):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(b):
        b_department = Department.objects.create(name="B only")
        b_employee = Employee.objects.create(name="B person", email="b@beta.se")

    response = owner_client.post(f"/o/{a.slug}/contacts/new/", contact_form(
        email="dora@example.com", department=b_department.pk, employee=b_employee.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert "dora@example.com" not in contacts(a)


def test_the_same_email_may_be_a_contact_in_two_organizations(org_a, org_b, owner_client, people, twins):
    (a, _), (b, _) = org_a, org_b

    response = owner_client.post(f"/o/{a.slug}/contacts/new/", contact_form(email="dora@example.com"))
    assert response.status_code == 302
    with tenant_context(b):
        Contact.objects.create(email="dora@example.com")

    assert "dora@example.com" in contacts(a) and "dora@example.com" in contacts(b)
    # A suppression in A does not suppress B's contact of the same address.
    owner_client.post(f"/o/{a.slug}/contacts/suppressions/", {"email": "dora@example.com", "reason": "manual"})
    with tenant_context(b):
        assert not Suppression.objects.exists()
