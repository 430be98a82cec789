"""Every list page that can grow is paged, and its page links keep the filters: responses,
contacts, cases, the comment explorer and the audit log (which also filters and exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

from django.utils import timezone

from nps_platform.tenancy import tenant_context
from organizations.models import AuditLogEntry
from tests.dashboards.conftest import published
from tests.dashboards.helpers import add_responses


def links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'class="page-link" href="([^"]+)"', html)]


def answers(organization, owner, n: int, **spec):
    survey = published(organization, owner, name="Relationship")
    now = timezone.now()
    return survey, add_responses(organization, survey, [
        {"score": 3 if i % 2 else 10, "at": now - dt.timedelta(minutes=i), "comment": f"answer number {i}", **spec}
        for i in range(n)])


def test_the_responses_list_reaches_every_answer_and_keeps_its_filters(org_a, member_client):
    organization, owner = org_a
    answers(organization, owner, 379)
    client = member_client(owner)
    first = client.get(f"/o/{organization.slug}/responses/?category=detractor&q=answer").content.decode()
    assert first.count("answer number") == 50
    hrefs = links(first)
    assert "?category=detractor&q=answer&page=2" in hrefs
    seen = set()
    for page in range(1, 5):
        html = client.get(f"/o/{organization.slug}/responses/?category=detractor&q=answer&page={page}").content.decode()
        seen |= set(re.findall(r"answer number (\d+)", html))
    assert len(seen) == 189 and all(int(i) % 2 for i in seen)  # every detractor, no promoter
    last = client.get(f"/o/{organization.slug}/responses/?category=detractor&q=answer&page=99").content.decode()
    assert "151–189 of 189" in last  # out of range: the last page


def test_the_contacts_list_is_paged(org_a, member_client):
    from contacts.models import Contact

    organization, owner = org_a
    with tenant_context(organization):
        Contact.objects.bulk_create([Contact(organization=organization, email=f"c{i:03d}@x.dk", name=f"C {i}",
                                             language="da" if i % 2 else "sv") for i in range(130)])
    html = member_client(owner).get(f"/o/{organization.slug}/contacts/?language=da&page=2").content.decode()
    assert len(re.findall(r"c\d{3}@x\.dk", html)) == 15 and "51–65 of 65" in html
    assert "?language=da&page=1" in links(html)


def test_the_case_inbox_is_paged(org_a, member_client):
    from followups.models import Case

    organization, owner = org_a
    _, responses = answers(organization, owner, 70)
    with tenant_context(organization):
        Case.objects.bulk_create([Case(organization=organization, response=r, category=r.category, owner=owner,
                                       due_at=timezone.now() + dt.timedelta(days=1)) for r in responses])
    client = member_client(owner)
    html = client.get(f"/o/{organization.slug}/followup/cases/?view=all").content.decode()
    assert "1–50 of 70" in html and "?view=all&page=2" in links(html)
    assert "51–70 of 70" in client.get(f"/o/{organization.slug}/followup/cases/?view=all&page=2").content.decode()


def test_the_comment_explorer_is_paged(org_a, member_client):
    organization, owner = org_a
    answers(organization, owner, 120)
    from tests.dashboards.helpers import rebuild

    rebuild(organization)
    client = member_client(owner)
    html = client.get(f"/o/{organization.slug}/dashboard/comments/?category=detractor").content.decode()
    assert "1–50 of 60" in html
    assert any("category=detractor" in h and "page=2" in h for h in links(html))


def test_the_audit_log_filters_pages_and_exports(org_a, add_member, member_client):
    organization, owner = org_a
    other = add_member(organization, "admin")
    now = timezone.now()
    with tenant_context(organization):
        AuditLogEntry.objects.all().delete()
        entries = [AuditLogEntry(organization=organization, actor=owner if i % 2 else other,
                                 action="survey.published" if i % 3 else "contact.imported",
                                 summary=f"entry {i}" if i else "=HYPERLINK(\"x\")") for i in range(130)]
        AuditLogEntry.objects.bulk_create(entries)
        AuditLogEntry.objects.filter(summary="entry 1").update(created_at=now - dt.timedelta(days=10))
    client = member_client(owner)
    base = f"/o/{organization.slug}/audit/"
    html = client.get(base).content.decode()
    assert "1–50 of 130" in html and "?page=2" in links(html)
    html = client.get(f"{base}?action=survey.&page=2").content.decode()  # every survey action
    assert "51–86 of 86" in html and "?action=survey.&page=1" in links(html)
    query = f"actor={owner.pk}&action=survey.published"
    html = client.get(f"{base}?{query}").content.decode()
    expected = sum(1 for i in range(130) if i % 2 and i % 3)
    assert f"{expected} entries" in html and "page-link" not in html
    day = (now - dt.timedelta(days=10)).astimezone().date()
    html = client.get(f"{base}?since={day}&until={day}").content.decode()
    assert "entry 1<" in html and "1 entry" in html
    export = client.get(f"{base}?{query}&format=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == ["when", "who", "action", "target", "details"] and len(rows) == expected + 1
    assert {r[1] for r in rows[1:]} == {owner.email}
    everything = client.get(f"{base}?format=csv")
    text = b"".join(everything.streaming_content).decode()
    assert "'=HYPERLINK" in text  # a formula is neutralised
