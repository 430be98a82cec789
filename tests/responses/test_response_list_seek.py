"""The responses list counts and numbers pages only up to a cap; further back it seeks from the
last answer shown ("Older"), so a far page costs what the first does (issue 16). Walking the
numbered pages and then the "Older" links reaches every answer exactly once, newest first, with
the filters kept."""

from __future__ import annotations

import re
from html import unescape

from tests.test_pagination import answers


def _older(html: str) -> str | None:
    found = re.search(r'<a class="btn btn-sm btn-outline-secondary" href="([^"]+)" rel="next">', html)
    return unescape(found.group(1)) if found else None


def test_past_the_cap_the_list_seeks_and_reaches_every_answer_once(org_a, member_client, monkeypatch):
    import responses.views

    monkeypatch.setattr(responses.views, "COUNT_CAP", 100)  # two numbered pages of 50
    organization, owner = org_a
    answers(organization, owner, 237)
    client = member_client(owner)
    base = f"/o/{organization.slug}/responses/"
    first = client.get(f"{base}?q=answer").content.decode()
    assert "100 or more responses" in first and _older(first) is None  # "Older" only on the last numbered page
    seen = []
    html = client.get(f"{base}?q=answer&page=2").content.decode()
    seen += re.findall(r"answer number (\d+)", first) + re.findall(r"answer number (\d+)", html)
    hops = 0
    while (link := _older(html)) is not None:
        assert "q=answer" in link and "before=" in link
        html = client.get(base + link).content.decode()
        assert "Older responses" in html and 'href="?q=answer">' in html.replace("&amp;", "&")  # "Newest"
        seen += re.findall(r"answer number (\d+)", html)
        hops += 1
    assert hops == 3  # 37 beyond the cap + 100 + ... in pages of 50: 50, 50, 37
    assert [int(i) for i in seen] == list(range(237))  # newest first, each once


def test_a_cursor_that_is_not_one_shows_the_first_page(org_a, member_client):
    organization, owner = org_a
    answers(organization, owner, 3)
    client = member_client(owner)
    for bad in ("x", "2025-13-01T00:00:00_1", "2025-01-01T00:00:00_1", "2025-01-01T00:00:00+00:00_-1", "_",
                "0001-01-01T00:00:00+01:00_1", "9999-12-31T23:59:59-01:00_1"):
        response = client.get(f"/o/{organization.slug}/responses/", {"before": bad})
        assert response.status_code == 200 and "3 responses" in response.content.decode()
