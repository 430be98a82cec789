"""An import loses nothing silently: first and last name columns make the name, a line that
repeats an earlier email is reported by line, and the summary accounts for every row of the
file (new + updated + repeated + skipped = rows)."""

from __future__ import annotations

import html
import re

from contacts.models import ContactImport
from contacts.services import BATCH
from nps_platform.tenancy import tenant_context

from .helpers import contacts, import_file, mapping_on_page, skipped_lines, summary, upload


def repeated_lines(progress) -> list[str]:
    match = re.search(r'<ul class="small" id="import-duplicates">(.*?)</ul>', progress.content.decode(), re.S)
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def counts(organization) -> tuple[int, int, int, int, int]:
    with tenant_context(organization):
        record = ContactImport.objects.get()
    return (record.created_count, record.updated_count, record.duplicate_count, record.error_count,
            record.total_rows)


def test_first_and_last_name_columns_are_guessed_and_joined(org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = ("Email;Fornavn;Efternavn\n"
           "anna@example.com;Anna;Berg\n"
           "bo@example.com;;Ek\n"
           "cai@example.com;Cai;\n")
    uploaded = upload(owner_client, organization, csv)
    mapping = mapping_on_page(owner_client.get(uploaded["Location"]))
    assert mapping["Fornavn"] == "first_name" and mapping["Efternavn"] == "last_name"
    progress = import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks)
    found = contacts(organization)
    assert {e: c.name for e, c in found.items()} == {"anna@example.com": "Anna Berg", "bo@example.com": "Ek",
                                                   "cai@example.com": "Cai"}
    assert summary(progress) == "3 new, 0 updated, 0 lines skipped."


def test_two_columns_mapped_to_the_name_are_both_kept(org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    csv = "email,given,family\nanna@example.com,Anna,Berg\n"
    import_file(owner_client, organization, csv, capture=django_capture_on_commit_callbacks,
                changes={"given": "name", "family": "name"})
    assert contacts(organization)["anna@example.com"].name == "Anna Berg"


def test_every_row_is_accounted_for_and_repeats_are_reported_by_line(
        org_a, owner_client, django_capture_on_commit_callbacks):
    organization, _ = org_a
    lines = ["email,name"] + [f"p{i:02d}@example.com,Person {i}" for i in range(17)]
    lines.insert(5, "P02@example.com,Person Two again")  # line 6 repeats line 4
    lines.append("not-an-email,Broken")
    lines.append("p00@example.com,Person Zero again")  # line 21 repeats line 2
    assert len(lines) - 1 == 20  # 20 data rows
    progress = import_file(owner_client, organization, "\n".join(lines) + "\n",
                           capture=django_capture_on_commit_callbacks)
    assert summary(progress) == "17 new, 0 updated, 2 repeated lines merged, 1 lines skipped."
    assert "20 rows in the file" in progress.content.decode()
    assert repeated_lines(progress) == [
        "Line 6: p02@example.com again (first on line 4); merged into that contact, this line's values win.",
        "Line 21: p00@example.com again (first on line 2); merged into that contact, this line's values win.",
    ]
    assert skipped_lines(progress) == ["Line 20: “not-an-email” is not an email address."]
    created, updated, repeated, skipped, rows = counts(organization)
    assert created + updated + repeated + skipped == rows == 20
    assert contacts(organization)["p02@example.com"].name == "Person Two again"


def test_a_repeat_in_a_later_batch_is_a_repeat_not_an_update(org_a, owner_client,
                                                              django_capture_on_commit_callbacks):
    organization, _ = org_a
    lines = ["email,name"] + [f"p{i}@example.com,P {i}" for i in range(BATCH + 5)] + ["p1@example.com,Again"]
    progress = import_file(owner_client, organization, "\n".join(lines) + "\n",
                           capture=django_capture_on_commit_callbacks)
    assert summary(progress) == f"{BATCH + 5} new, 0 updated, 1 repeated lines merged, 0 lines skipped."
    created, updated, repeated, skipped, rows = counts(organization)
    assert created + updated + repeated + skipped == rows == BATCH + 6
    assert contacts(organization)["p1@example.com"].name == "Again"
