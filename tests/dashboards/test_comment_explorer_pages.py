"""The comment explorer reads one page at a time (issue 16): its pages together hold every
matching comment once, newest first, and a search finds words through the trigram index's
expression (UPPER(comment) LIKE …) in any case."""

from __future__ import annotations

import re

from tests.dashboards.helpers import rebuild
from tests.test_pagination import answers


def test_pages_hold_every_matching_comment_once_newest_first(org_a, member_client):
    organization, owner = org_a
    answers(organization, owner, 130)
    rebuild(organization)
    client = member_client(owner)
    url = f"/o/{organization.slug}/dashboard/comments/?q=NUMBER"  # "answer number …", any case
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"{url}&page={page}").content.decode()
        seen += [int(n) for n in re.findall(r"answer number (\d+)", html)]
    assert seen == list(range(130))
    assert "130 comments" in client.get(url).content.decode()
    html = client.get(f"{url}+12").content.decode()  # "number 12", "number 120"–"number 129"
    assert [int(n) for n in re.findall(r"answer number (\d+)", html)] == [12, *range(120, 130)]
