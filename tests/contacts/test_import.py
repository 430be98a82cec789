"""Importing contacts through /o/<slug>/contacts/import/: upload, the column mapping page, the
import itself (eager in tests, a real worker in one), and the progress page with its summary
and the skipped lines. Policy under test: good rows are kept, bad rows are listed by line."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from decimal import Decimal

import pytest
from openpyxl import Workbook

from contacts.models import Contact, ContactImport
from nps_platform.tenancy import tenant_context
from organizations.models import Department, Employee

from .helpers import (
    client_for,
    contacts,
    import_file,
    mapping_on_page,
    page_text,
    percent,
    post_mapping,
    skipped_lines,
    snapshot,
    summary,
    tag_names,
    tags_of,
    upload,
)


@pytest.fixture
def sales(org_a):
    """Org A's Sales department with its Nordic team, and a responsible employee."""
    organization, _ = org_a
    with tenant_context(organization):
        sales = Department.objects.create(name="Sales")
        nordic = Department.objects.create(name="Nordic", parent=sales, kind=Department.Kind.TEAM)
        kam = Employee.objects.create(name="Karen Mølgaard", email="karen@alpha.dk", department=sales)
    return {"sales": sales, "nordic": nordic, "kam": kam}


def imports_of(organization) -> list[ContactImport]:
    with tenant_context(organization):
        return list(ContactImport.objects.all())


# --- The mapping page --------------------------------------------------------------------------

def test_upload_leads_to_a_mapping_page_that_guesses_each_column_from_its_header(org_a, owner_client):
    organization, _ = org_a
    csv = ("E-mail;Navn;Sprog;Afdeling;Ansvarlig;Omsætning;Kunde siden;Valuta;Tags;Region;Produkt;Kundenummer\n"
           "anna@example.com;Anna;da;Sales;karen@alpha.dk;1.234,56;31-12-2020;DKK;VIP;Nord;Pro;K-1\n")

    uploaded = upload(owner_client, organization, csv)

    assert uploaded.status_code == 302
    [record] = imports_of(organization)
    assert uploaded["Location"] == f"/o/{organization.slug}/contacts/import/{record.pk}/"
    assert record.status == ContactImport.Status.MAPPING
    page = owner_client.get(uploaded["Location"])
    assert page.status_code == 200
    assert "Map the columns of contacts.csv" in page_text(page)
    assert mapping_on_page(page) == {
        "E-mail": "email", "Navn": "name", "Sprog": "language", "Afdeling": "department", "Ansvarlig": "employee",
        "Omsætning": "revenue_12m", "Kunde siden": "customer_since", "Valuta": "currency", "Tags": "tags",
        "Region": "region", "Produkt": "product", "Kundenummer": "__attribute__",
    }
    # The first rows are shown next to each column; nothing is imported before the mapping is sent.
    assert "1.234,56" in page_text(page)
    assert "karen@alpha.dk" in page_text(page)
    assert contacts(organization) == {}


def test_a_mapping_without_an_email_column_is_refused_with_a_message(org_a, owner_client,
                                                                    django_capture_on_commit_callbacks):
    organization, _ = org_a
    uploaded = upload(owner_client, organization, "Email,Name\nanna@example.com,Anna\n")
    url = uploaded["Location"]
    mapping_page = owner_client.get(url)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_mapping(owner_client, mapping_page, url, {"Email": "", "Name": "name"})

    assert response.status_code == 200
    assert "Choose which column holds the email address." in page_text(response)
    # The page shows the choice the user made, so they can correct it.
    assert mapping_on_page(response) == {"Email": "", "Name": "name"}
    assert callbacks == []
    [record] = imports_of(organization)
    assert record.status == ContactImport.Status.MAPPING
    assert contacts(organization) == {}


# --- File formats ---------------------------------------------------------------------------------

def test_semicolon_windows_1252_file_imports_danish_letters_numbers_dates_and_tags(
        org_a, owner_client, sales, django_capture_on_commit_callbacks):
    organization, _ = org_a
    data = ("E-mail;Navn;Sprog;Afdeling;Ansvarlig;Omsætning;Kunde siden;Tags;Kundenummer\r\n"
            "soren@example.dk;Søren Ærø;Dansk;Sales;karen@alpha.dk;1.234,56;01-03-2019;VIP, Nordic;K-100\r\n"
            "ase@example.no;Åse Ødegård;no;Sales / Nordic;;2 500,00 kr.;15.06.2021;Nordic;K-101\r\n"
            ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    progress = import_file(owner_client, organization, data, name="kunder.csv",
                           capture=django_capture_on_commit_callbacks)

    assert "Importing kunder.csv" in page_text(progress)
    assert summary(progress) == "2 new, 0 updated, 0 lines skipped."
    assert skipped_lines(progress) == []
    assert percent(progress) == 100
    found = contacts(organization)
    assert sorted(found) == ["ase@example.no", "soren@example.dk"]
    soren, ase = found["soren@example.dk"], found["ase@example.no"]
    assert (soren.name, soren.language, soren.department, soren.employee) == (
        "Søren Ærø", "da", sales["sales"], sales["kam"])
    assert soren.revenue_12m == Decimal("1234.56")
    assert soren.customer_since == dt.date(2019, 3, 1)
    assert soren.attributes == {"Kundenummer": "K-100"}
    assert tags_of(soren) == ["Nordic", "VIP"]
    assert (ase.name, ase.language, ase.department, ase.employee) == ("Åse Ødegård", "nb", sales["nordic"], None)
    assert ase.revenue_12m == Decimal("2500.00")
    assert ase.customer_since == dt.date(2021, 6, 15)
    assert tags_of(ase) == ["Nordic"]
    assert tag_names(organization) == ["Nordic", "VIP"]
    # What the user then sees on the contact list.
    listing = page_text(owner_client.get(f"/o/{organization.slug}/contacts/"))
    assert "2 contacts" in listing
    assert "Søren Ærø" in listing
    assert "Åse Ødegård" in listing


def test_utf8_comma_file_with_byte_order_mark_maps_and_imports_the_first_column(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    data = "\ufeffEmail,Name,Language\nase@example.no,Åse Ødegård,svenska\nbo@example.com,Bo,EN\n".encode()
    assert data.startswith(b"\xef\xbb\xbf")
    uploaded = upload(owner_client, organization, data)
    assert mapping_on_page(owner_client.get(uploaded["Location"])) == {
        "Email": "email", "Name": "name", "Language": "language"}

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "2 new, 0 updated, 0 lines skipped."
    found = contacts(organization)
    assert (found["ase@example.no"].name, found["ase@example.no"].language) == ("Åse Ødegård", "sv")
    assert (found["bo@example.com"].name, found["bo@example.com"].language) == ("Bo", "en")


def test_a_quoted_field_with_a_line_break_is_one_value_and_later_line_numbers_count_it(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ('email,name,region\n'                        # line 1
           'anna@example.com,"Anna\nBerg",North\n'       # lines 2-3
           'not-an-email,Bo,South\n'                     # line 4
           'carl@example.com,"Carl ""the boss""",\n'     # line 5
           ',Dora,East\n'                                # line 6
           '\n'                                          # line 7, blank: ignored
           'eve@example.com,Eve,"West,\nand\nNorth"\n'   # lines 8-10
           'bad@@example,Frank,\n')                      # line 11

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "3 new, 0 updated, 3 lines skipped."
    assert skipped_lines(progress) == [
        "Line 4: “not-an-email” is not an email address.",
        "Line 6: the email is empty.",
        "Line 11: “bad@@example” is not an email address.",
    ]
    found = contacts(organization)
    assert sorted(found) == ["anna@example.com", "carl@example.com", "eve@example.com"]
    assert found["anna@example.com"].name == "Anna\nBerg"
    assert found["anna@example.com"].region == "North"
    assert found["carl@example.com"].name == 'Carl "the boss"'
    assert found["eve@example.com"].region == "West,\nand\nNorth"


def test_nordic_numbers_and_dates_land_in_revenue_and_customer_since(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ("email;revenue;customer since;currency\n"
           "a@example.com;1.234,56;31-12-2025;dkk\n"
           "b@example.com;1 234,50;31.12.2025;SEK\n"
           "c@example.com;DKK 2.000;2025-12-31;\n"
           "d@example.com;1,234.56;31/12/25;EUR\n"
           "e@example.com;12,5;1.2.2024;NOK\n"
           "f@example.com;n/a;31-12-2025;DKK\n"
           "g@example.com;100;2025-02-30;DKK\n"
           "h@example.com;100;31-12-2025;kroner\n")

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "5 new, 0 updated, 3 lines skipped."
    assert skipped_lines(progress) == [
        "Line 7: “n/a” is not a number.",
        "Line 8: “2025-02-30” is not a date.",
        "Line 9: “kroner” is not a currency code such as DKK or EUR.",
    ]
    found = contacts(organization)
    assert {e: (c.revenue_12m, c.customer_since, c.currency) for e, c in found.items()} == {
        "a@example.com": (Decimal("1234.56"), dt.date(2025, 12, 31), "DKK"),
        "b@example.com": (Decimal("1234.50"), dt.date(2025, 12, 31), "SEK"),
        "c@example.com": (Decimal("2000.00"), dt.date(2025, 12, 31), ""),
        "d@example.com": (Decimal("1234.56"), dt.date(2025, 12, 31), "EUR"),
        "e@example.com": (Decimal("12.50"), dt.date(2024, 2, 1), "NOK"),
    }


def test_tags_column_creates_tags_once_and_reuses_existing_ones_case_insensitively(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    with tenant_context(organization):
        from contacts.models import Tag

        Tag.objects.create(name="Enterprise")
    csv = ("email,tags\n"
           "a@example.com,\"VIP, Nordic\"\n"
           "b@example.com,VIP;ENTERPRISE\n"
           "c@example.com,\n")

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "3 new, 0 updated, 0 lines skipped."
    assert tag_names(organization) == ["Enterprise", "Nordic", "VIP"]
    found = contacts(organization)
    assert tags_of(found["a@example.com"]) == ["Nordic", "VIP"]
    assert tags_of(found["b@example.com"]) == ["Enterprise", "VIP"]
    assert tags_of(found["c@example.com"]) == []
    # The tag filter on the contact list finds them.
    with tenant_context(organization):
        vip = Tag.objects.get(name="VIP")
    listing = page_text(owner_client.get(f"/o/{organization.slug}/contacts/?tag={vip.pk}"))
    assert "2 contacts" in listing
    assert "a@example.com" in listing and "b@example.com" in listing and "c@example.com" not in listing


def test_a_new_tag_written_in_two_ways_in_one_file_is_named_as_first_written(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    # 24 tags, each first written in one way and later in another: with the spelling left to chance
    # every run, at least one comes out wrong (all right by chance: about 1 in 16 million).
    names = [f"Tag{i:02d}" for i in range(24)]
    csv = ("email,tags\n"
           f"a@example.com,\"{', '.join(names)}\"\n"
           f"b@example.com,\"{', '.join(n.upper() for n in names)}\"\n")

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "2 new, 0 updated, 0 lines skipped."
    assert tag_names(organization) == names
    assert tags_of(contacts(organization)["b@example.com"]) == names


# --- Bad lines: skipped and listed, good lines kept -------------------------------------------------

def test_bad_lines_are_skipped_with_their_reasons_and_good_lines_are_imported(
        org_a, owner_client, sales, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ("email;name;language;department;responsible\n"                # 1
           "anna@example.com;Anna;da;Sales;karen@alpha.dk\n"              # 2 fine
           "bo@example.com;Bo;sv;Marketing;\n"                            # 3 unknown department
           "carl@example.com;Carl;;;ghost@alpha.dk\n"                     # 4 unknown employee
           "not-an-email;Dora;;;\n"                                       # 5 bad email
           "eve@example.com;Eve;klingon;;\n"                              # 6 bad language
           "frank@example.com;Frank;xx;Nowhere;\n"                        # 7 two problems
           "gina@example.com;Gina;nb;nordic;KAREN@alpha.dk\n"             # 8 fine (team by name)
           "hans@example.com;Hans;;;;extra\n"                             # 9 too many fields
           ";Ida;da;;\n")                                                 # 10 no email

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "2 new, 0 updated, 7 lines skipped."
    assert skipped_lines(progress) == [
        "Line 3: no department “Marketing”.",
        "Line 4: no employee with the email ghost@alpha.dk.",
        "Line 5: “not-an-email” is not an email address.",
        "Line 6: unknown language “klingon” (use da, sv, nb, fi, hr, de or en).",
        "Line 7: unknown language “xx” (use da, sv, nb, fi, hr, de or en); no department “Nowhere”.",
        "Line 9: 6 fields where the header has 5.",
        "Line 10: the email is empty.",
    ]
    found = contacts(organization)
    assert sorted(found) == ["anna@example.com", "gina@example.com"]
    assert (found["anna@example.com"].department, found["anna@example.com"].employee) == (sales["sales"],
                                                                                        sales["kam"])
    assert (found["gina@example.com"].department, found["gina@example.com"].employee) == (sales["nordic"],
                                                                                        sales["kam"])
    # No departments or employees were made up for the bad lines.
    with tenant_context(organization):
        assert sorted(Department.objects.values_list("name", flat=True)) == ["Nordic", "Sales"]
        assert Employee.objects.count() == 1


def test_a_file_whose_every_line_is_bad_finishes_with_nothing_imported(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a

    progress = import_file(owner_client, organization, "email,name\nnope,A\n,B\n",
                           capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "0 new, 0 updated, 2 lines skipped."
    assert skipped_lines(progress) == ["Line 2: “nope” is not an email address.", "Line 3: the email is empty."]
    assert contacts(organization) == {}


# --- Upserts ------------------------------------------------------------------------------------------

def test_a_second_import_updates_contacts_by_email_case_insensitively_instead_of_duplicating(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    with tenant_context(organization):
        Contact.objects.create(email="Carl@Example.com", name="Carl", region="West")
    first = import_file(owner_client, organization,
                        "email,name,region,customer number\nanna@example.com,Anna,North,K-1\n",
                        capture=django_capture_on_commit_callbacks)
    assert summary(first) == "1 new, 0 updated, 0 lines skipped."

    second = import_file(owner_client, organization,
                         "Email,Name,Segment\nANNA@Example.com,Anna Berg,Gold\ncarl@example.com,Carl Dahl,\n"
                         "bo@example.com,Bo,Silver\n",
                         capture=django_capture_on_commit_callbacks)

    assert summary(second) == "1 new, 2 updated, 0 lines skipped."
    found = contacts(organization)
    assert sorted(found) == ["Carl@Example.com", "anna@example.com", "bo@example.com"]
    anna, carl = found["anna@example.com"], found["Carl@Example.com"]
    # Columns absent from the second file keep their values; custom attributes are merged.
    assert (anna.name, anna.region) == ("Anna Berg", "North")
    assert anna.attributes == {"customer number": "K-1", "Segment": "Gold"}
    assert (carl.name, carl.region) == ("Carl Dahl", "West")
    with tenant_context(organization):
        assert Contact.objects.count() == 3


def test_the_same_email_twice_in_one_file_makes_one_contact_and_the_later_line_wins(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ("email,name,region,tags\n"
           "anna@example.com,Anna,North,VIP\n"
           "bo@example.com,Bo,East,\n"
           "ANNA@example.com,Anna Berg,South,VIP\n")

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress).startswith("2 new,")
    assert skipped_lines(progress) == []
    found = contacts(organization)
    assert sorted(found) == ["anna@example.com", "bo@example.com"]
    assert (found["anna@example.com"].name, found["anna@example.com"].region) == ("Anna Berg", "South")
    assert tags_of(found["anna@example.com"]) == ["VIP"]


def test_a_later_line_for_the_same_email_updates_the_earlier_one_instead_of_erasing_it(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ("email,name,region,tags,customer number\n"
           "anna@example.com,Anna,North,VIP,K-1\n"
           "anna@example.com,Anna Berg,,,\n")

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert skipped_lines(progress) == []
    anna = contacts(organization)["anna@example.com"]
    assert anna.name == "Anna Berg"
    # What two separate imports of these lines give (see the upsert test above):
    assert anna.region == "North"
    assert anna.attributes == {"customer number": "K-1"}
    assert tags_of(anna) == ["VIP"]


# --- Spreadsheets -------------------------------------------------------------------------------------

def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_file_with_date_and_number_cells_imports_like_a_csv(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    data = _xlsx([
        ["E-mail", "Navn", "Kunde siden", "Omsætning", "Sprog", "Tags", "Kundenummer"],
        ["soren@example.dk", "Søren Ærø", dt.datetime(2019, 3, 1), 1234.56, "Dansk", "VIP, Nordic", 1001],
        ["bo@example.se", "Bo", dt.date(2020, 1, 31), 250000, "sv", None, 1002.0],
        [None, None, None, None, None, None, None],  # an empty row is ignored
        ["broken", "Carl", "someday", "lots", "da", None, None],
        ["eva@example.fi", "Eva", "31-12-2021", "1.000,50", "fi", None, None],
    ])

    uploaded = upload(owner_client, organization, data, name="kunder.xlsx")
    assert uploaded.status_code == 302
    assert mapping_on_page(owner_client.get(uploaded["Location"])) == {
        "E-mail": "email", "Navn": "name", "Kunde siden": "customer_since", "Omsætning": "revenue_12m",
        "Sprog": "language", "Tags": "tags", "Kundenummer": "__attribute__"}
    progress = import_file(owner_client, organization, data, name="kunder.xlsx",
                           capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "3 new, 0 updated, 1 lines skipped."
    [line] = skipped_lines(progress)
    assert line.startswith("Line 5: ") and line.endswith(".")
    assert sorted(line[len("Line 5: "):-1].split("; ")) == [
        "“broken” is not an email address",
        "“lots” is not a number",
        "“someday” is not a date (write 31-12-2025 or 2025-12-31)",
    ]
    found = contacts(organization)
    soren, bo, eva = found["soren@example.dk"], found["bo@example.se"], found["eva@example.fi"]
    assert (soren.name, soren.customer_since, soren.revenue_12m, soren.language) == (
        "Søren Ærø", dt.date(2019, 3, 1), Decimal("1234.56"), "da")
    assert soren.attributes == {"Kundenummer": "1001"}
    assert tags_of(soren) == ["Nordic", "VIP"]
    assert (bo.customer_since, bo.revenue_12m, bo.language) == (dt.date(2020, 1, 31), Decimal("250000"), "sv")
    assert bo.attributes == {"Kundenummer": "1002"}
    assert (eva.customer_since, eva.revenue_12m) == (dt.date(2021, 12, 31), Decimal("1000.50"))


@pytest.mark.parametrize(("name", "data", "message"), [
    ("kunder.xlsx", b"PK\x03\x04 this is not really a spreadsheet", "The spreadsheet could not be read"),
    ("kunder.xlsx", b"", "The submitted file is empty."),
    ("kunder.csv", b"   \n", "The file is empty."),
])
def test_a_broken_file_shows_an_error_on_the_upload_page_and_stores_nothing(org_a, owner_client, name, data,
                                                                            message):
    organization, _ = org_a

    response = upload(owner_client, organization, data, name=name)

    assert response.status_code == 200
    assert message in page_text(response)
    assert "Import contacts" in page_text(response)
    assert imports_of(organization) == []


def test_an_xlsx_with_an_empty_first_sheet_says_so(org_a, owner_client):
    organization, _ = org_a

    response = upload(owner_client, organization, _xlsx([]), name="empty.xlsx")

    assert response.status_code == 200
    text = page_text(response)
    assert "The spreadsheet is empty." in text or "The first line must name the columns." in text
    assert imports_of(organization) == []


# --- Values the database cannot hold ----------------------------------------------------------------

@pytest.mark.parametrize("bad_line", [
    "bo@example.com;" + "R" * 101 + ";100",
    "bo@example.com;North;1.000.000.000.000,00",
], ids=["region-longer-than-100", "revenue-over-12-digits"])
def test_a_value_too_big_for_the_database_skips_or_trims_that_line_and_the_import_finishes(
        org_a, owner_client, django_capture_on_commit_callbacks, bad_line):
    organization, _ = org_a
    csv = f"email;region;revenue\nanna@example.com;North;100\n{bad_line}\ncarl@example.com;South;200\n"

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress).startswith(("2 new, 0 updated, 1 lines skipped", "3 new, 0 updated, 0 lines"))
    assert {"anna@example.com", "carl@example.com"} <= set(contacts(organization))


# --- A crafted mapping -------------------------------------------------------------------------------

def test_a_mapping_to_a_field_that_is_not_offered_cannot_write_into_another_organization(
        org_a, org_b, owner_client, django_capture_on_commit_callbacks):
    (a, _), (b, _) = org_a, org_b
    with tenant_context(a):
        Contact.objects.create(email="anna@example.com", name="Anna in A")
    before_b = snapshot(b)
    csv = f"email,owner\nanna@example.com,{b.pk}\nmole@example.com,{b.pk}\n"
    uploaded = upload(owner_client, a, csv)
    url = uploaded["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        post_mapping(owner_client, owner_client.get(url), url, {"owner": "organization_id"})

    assert snapshot(b) == before_b
    assert "anna@example.com" in contacts(a)
    assert all(c.organization_id == a.pk for c in contacts(a).values())


# --- Size -----------------------------------------------------------------------------------------------

def test_one_hundred_thousand_rows_import_completely(org_a, django_capture_on_commit_callbacks):
    from contacts import services

    organization, owner = org_a
    n = 100_000
    lines = ["email;name;omsætning;kunde siden;sprog"]
    lines += [f"c{i}@example.com;Contact {i};{i % 9000}.{i % 1000:03d},{i % 100:02d};15-06-2020;da"
              for i in range(n)]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")

    started = time.monotonic()
    with tenant_context(organization):
        record, info = services.import_start(organization=organization, name="big.csv", data=data, by=owner)
        assert len(info["preview"]) == 5
        with django_capture_on_commit_callbacks(execute=True):
            services.import_confirm(record=record, mapping=record.mapping, by=owner)
        record.refresh_from_db()
        elapsed = time.monotonic() - started

        assert record.status == ContactImport.Status.DONE, record.failure
        assert (record.total_rows, record.processed_rows, record.percent) == (n, n, 100)
        assert (record.created_count, record.updated_count, record.error_count) == (n, 0, 0)
        assert Contact.objects.count() == n
        sample = Contact.objects.get(email="c12345@example.com")
        assert sample.name == "Contact 12345"
        assert sample.revenue_12m == Decimal("3345345.45")
        assert sample.customer_since == dt.date(2020, 6, 15)
    # the time is printed, not asserted: on a shared machine it says more about the neighbours
    print(f"\n100 000-row import took {elapsed:.1f} s")

    # The owner sees it finished on the progress page.
    progress = client_for(owner).get(f"/o/{organization.slug}/contacts/import/{record.pk}/")
    assert summary(progress) == "100000 new, 0 updated, 0 lines skipped."
    assert percent(progress) == 100


# --- The real worker ----------------------------------------------------------------------------------

@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_import_and_the_progress_page_follows_it(celery_worker_process, org_a, sales):
    organization, owner = org_a
    client = client_for(owner)
    csv = ("email;name;department;omsætning\n"
           + "".join(f"w{i}@example.com;Worker {i};Sales;{i},50\n" for i in range(2500))
           + "bad-address;Nobody;;\n")
    uploaded = upload(client, organization, csv, name="worker.csv")
    url = uploaded["Location"]

    confirmed = post_mapping(client, client.get(url), url)
    assert confirmed.status_code == 302

    deadline = time.monotonic() + 30
    fragment = ""
    while time.monotonic() < deadline:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        fragment = page_text(response)
        assert fragment.lstrip().startswith('<div id="import-progress"')  # only the fragment
        if 'id="import-summary"' in fragment or "alert-danger" in fragment:
            break
        assert 'hx-trigger="every 1s"' in fragment  # still polling while queued or running
        time.sleep(0.3)
    else:
        pytest.fail("the import did not finish within 30 s:\n" + fragment + "\n"
                    + celery_worker_process.log_path.read_text()[-3000:])

    assert "2500 new, 0 updated, 1 lines skipped." in fragment
    assert "Line 2502: “bad-address” is not an email address." in fragment
    assert "hx-trigger" not in fragment  # it stops polling when done
    assert re.search(r'<progress [^>]*value="100"', fragment)
    found = contacts(organization)
    assert len(found) == 2500
    assert found["w7@example.com"].revenue_12m == Decimal("7.50")
    assert found["w7@example.com"].department == sales["sales"]
    assert "contacts.import_run" in celery_worker_process.log_path.read_text()
