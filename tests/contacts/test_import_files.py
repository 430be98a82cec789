"""Contact files as they come from real spreadsheets and damaged exports (issue 15.6), through
the upload page, the mapping page and the progress page: the encoding (UTF-8 with or without
BOM, UTF-16 LE/BE with BOM as Excel's "Unicode text" saves it, Windows-1252) and the line
endings (CRLF, LF, CR) are detected; a bad line (a NUL, broken bytes, a quote that never
closes) is listed by line and costs no other line; a file with more columns than can be mapped
is refused at upload with a message."""

from __future__ import annotations

import pytest

from contacts.models import ContactImport
from nps_platform.tenancy import tenant_context

from .helpers import contacts, import_file, page_text, skipped_lines, summary, upload


def test_a_nul_byte_on_one_line_skips_that_line_only(org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    lines = ["email;name"] + [f"c{i}@example.com;Contact {i}" for i in range(1, 2001)]
    lines[1500] = "c1500@example.com;Cont\x00act 1500"  # the file's line 1501
    data = ("\r\n".join(lines) + "\r\n").encode()

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "1999 new, 0 updated, 1 lines skipped."
    assert skipped_lines(progress) == [
        "Line 1501: the line holds a NUL character (a damaged or binary file?); the line is skipped."]
    found = contacts(organization)
    assert len(found) == 1999 and "c1500@example.com" not in found
    assert found["c2000@example.com"].name == "Contact 2000"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_bom_and_tabs_imports(org_a, owner_client, django_capture_on_commit_callbacks,
                                                            encoding):
    organization, _ = org_a
    text = ("E-mail\tNavn\tSprog\r\n"
            "soren@example.dk\tSøren Ærø\tda\r\n"
            "not-an-email\tÅse\tnb\r\n"
            "zoe@example.com\tZoë “Z” Ñúñez\ten\r\n")
    bom = "\ufeff".encode(encoding)
    data = bom + text.encode(encoding)

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks,
                           name="kunder.txt")

    assert summary(progress) == "2 new, 0 updated, 1 lines skipped."
    assert skipped_lines(progress) == ["Line 3: “not-an-email” is not an email address."]
    found = contacts(organization)
    assert (found["soren@example.dk"].name, found["soren@example.dk"].language) == ("Søren Ærø", "da")
    assert found["zoe@example.com"].name == "Zoë “Z” Ñúñez"


def test_cr_only_line_endings_import_with_the_right_line_numbers(org_a, owner_client,
                                                                 django_capture_on_commit_callbacks):
    organization, _ = org_a
    data = "email,name\ranna@example.com,Anna\rbroken,Bo\r\rcarl@example.com,Carl\r".encode("cp1252")

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "2 new, 0 updated, 1 lines skipped."
    assert skipped_lines(progress) == ["Line 3: “broken” is not an email address."]
    assert sorted(contacts(organization)) == ["anna@example.com", "carl@example.com"]


def test_mixed_line_endings_and_a_windows_1252_file(org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    data = "email;name\r\nase@example.no;Åse Ødegård\nbo@example.com;Bø\rcy@example.com;Cy\r\n".encode("cp1252")

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "3 new, 0 updated, 0 lines skipped."
    found = contacts(organization)
    assert (found["ase@example.no"].name, found["bo@example.com"].name) == ("Åse Ødegård", "Bø")


def test_a_utf8_file_with_one_broken_byte_stays_utf8_and_lists_that_line(org_a, owner_client,
                                                                           django_capture_on_commit_callbacks):
    organization, _ = org_a
    rows = [f"c{i}@example.com,Søren {i}" for i in range(20)]
    data = ("email,name\n" + "\n".join(rows[:10])).encode() + b"\nbad@example.com,Bj\xf8rn\n" + \
        ("\n".join(rows[10:]) + "\n").encode()

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "20 new, 0 updated, 1 lines skipped."
    assert skipped_lines(progress) == ["Line 12: the line holds bytes that are not text in the file's encoding "
                                       "(UTF-8); the line is skipped."]
    assert contacts(organization)["c15@example.com"].name == "Søren 15"  # not read as Windows-1252


def test_an_unclosed_quote_is_listed_and_the_lines_after_it_are_imported(org_a, owner_client,
                                                                         django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ('email,name,region\n'                      # 1
           'anna@example.com,Anna,North\n'            # 2
           'bo@example.com,"Bo,South\n'               # 3: the quote never closes
           'carl@example.com,Carl,East\n'             # 4
           'dora@example.com,"Dora\nDoe",West\n'      # 5-6: a real line break in a quoted value
           'eve@example.com,Eve,"North\n')            # 7: unclosed at the end of the file

    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "3 new, 0 updated, 2 lines skipped."
    assert skipped_lines(progress) == [
        "Line 3: a quote opened on this line is not closed (the value ran over lines 3–5); the line is skipped "
        "and the lines after it are read.",
        "Line 7: a quote opened on this line is not closed; the line is skipped.",
    ]
    found = contacts(organization)
    assert sorted(found) == ["anna@example.com", "carl@example.com", "dora@example.com"]
    assert found["dora@example.com"].name == "Dora\nDoe" and found["dora@example.com"].region == "West"
    assert found["carl@example.com"].region == "East"


def test_a_file_with_ten_thousand_columns_is_refused_at_upload(org_a, owner_client):
    organization, _ = org_a
    header = ",".join(["email"] + [f"col{i}" for i in range(9999)])
    data = f"{header}\nanna@example.com{',x' * 9999}\n"

    response = upload(owner_client, organization, data)

    assert response.status_code == 200
    assert ("Line 1: the file has 10 000 columns; at most 200 can be imported. Save a copy with only the columns "
            "you need and upload that.") in page_text(response)
    with tenant_context(organization):
        assert not ContactImport.objects.exists()


def test_two_hundred_columns_can_still_be_mapped(org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    header = ",".join(["email"] + [f"col{i}" for i in range(199)])
    data = f"{header}\nanna@example.com{',x' * 199}\n"

    progress = import_file(owner_client, organization, data, capture=django_capture_on_commit_callbacks)

    assert summary(progress) == "1 new, 0 updated, 0 lines skipped."
    assert len(contacts(organization)["anna@example.com"].attributes) == 199
