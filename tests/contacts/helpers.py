"""Helpers for the contact tests: clients, the import pages as a user drives them, and the
state of an organization's contacts."""

from __future__ import annotations

import html
import re
from contextlib import nullcontext

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts.models import Contact, ContactImport, Segment, Suppression, Tag
from nps_platform.tenancy import tenant_context


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- The import pages -------------------------------------------------------------------------

def upload(client: Client, organization, data: bytes | str, name: str = "contacts.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post(f"/o/{organization.slug}/contacts/import/",
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def mapping_on_page(response) -> dict[str, str]:
    """{column as the mapping page labels it: the option selected in its <select name="map-N">}."""
    page = response.content.decode()
    rows = re.findall(r'<label for="map-(\d+)">(.*?)</label></td>\s*<td><select[^>]*name="map-(\d+)">(.*?)</select>',
                      page, re.S)
    assert rows, "the page has no column mapping"
    mapping = {}
    for index, label, name_index, options in rows:
        assert index == name_index
        selected = re.findall(r'<option value="([^"]*)" selected>', options)
        assert len(selected) == 1, f"column {label} has {len(selected)} selected options"
        mapping[html.unescape(label)] = selected[0]
    return mapping


def select_names(response) -> list[str]:
    return re.findall(r'<select[^>]*name="(map-\d+)"', response.content.decode())


def post_mapping(client: Client, mapping_page, url: str, changes: dict[str, str] | None = None):
    """Submits the mapping page as shown, with `changes` ({column: field}) made first."""
    shown = mapping_on_page(mapping_page)
    names = select_names(mapping_page)
    changes = changes or {}
    assert set(changes) <= set(shown), f"no such column among {list(shown)}"
    data = {name: changes.get(column, value) for name, (column, value) in zip(names, shown.items(), strict=True)}
    return client.post(url, data)


def import_file(client: Client, organization, data: bytes | str, *, capture, name: str = "contacts.csv",
                changes: dict[str, str] | None = None, htmx: bool = False):
    """Upload, map (as guessed, with `changes`), run the import (eagerly, after commit) and
    return the progress page."""
    uploaded = upload(client, organization, data, name)
    assert uploaded.status_code == 302, page_text(uploaded)
    url = uploaded["Location"]
    assert re.fullmatch(rf"/o/{organization.slug}/contacts/import/\d+/", url)
    mapping_page = client.get(url)
    assert mapping_page.status_code == 200
    with capture(execute=True) if capture else nullcontext():
        confirmed = post_mapping(client, mapping_page, url, changes)
    assert confirmed.status_code == 302, page_text(confirmed)
    assert confirmed["Location"] == url
    headers = {"HX-Request": "true"} if htmx else {}
    progress = client.get(url, headers=headers)
    assert progress.status_code == 200
    return progress


def import_id(url: str) -> int:
    return int(re.search(r"/import/(\d+)/", url).group(1))


def summary(progress) -> str:
    match = re.search(r'<p class="mt-2" id="import-summary">(.*?)</p>', progress.content.decode(), re.S)
    assert match, "the progress page shows no summary:\n" + page_text(progress)[-2000:]
    return html.unescape(match.group(1)).strip()


def skipped_lines(progress) -> list[str]:
    match = re.search(r'<ul class="small" id="import-errors">(.*?)</ul>', progress.content.decode(), re.S)
    if not match:
        return []
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def percent(progress) -> int:
    return int(re.search(r'<progress [^>]*value="(\d+)"', progress.content.decode()).group(1))


# --- State ------------------------------------------------------------------------------------

def contacts(organization) -> dict[str, Contact]:
    """Every contact of the organization by email, with tags, department and employee loaded."""
    with tenant_context(organization):
        return {c.email: c for c in Contact.objects.select_related("department", "employee").prefetch_related("tags")}


def tags_of(contact: Contact) -> list[str]:
    return sorted(t.name for t in contact.tags.all())


def tag_names(organization) -> list[str]:
    with tenant_context(organization):
        return sorted(Tag.objects.values_list("name", flat=True))


def snapshot(organization) -> dict:
    """Everything this stage writes for an organization, to check that nothing changed."""
    with tenant_context(organization):
        return {
            "contacts": sorted(Contact.objects.values_list("pk", "email", "name", "language", "region", "updated_at")),
            "tags": sorted(Tag.objects.values_list("pk", "name")),
            "segments": sorted(Segment.objects.values_list("pk", "name", "filters")),
            "suppressions": sorted(Suppression.objects.values_list("pk", "email", "reason")),
            "imports": sorted(ContactImport.objects.values_list("pk", "status", "mapping", "processed_rows")),
        }
