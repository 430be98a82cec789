"""Issue 20 walked as a new admin and as a hostile user: what a merge leaves after the worker's
re-analysis, names an admin cannot tell apart, another organization's ids, the explorer's
filters together with a department, and themes in the dashboard PDF."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html import unescape

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import add_responses, local
from tests.insights.conftest import PERIOD

BILLING = ("Jeg blev trukket to gange for samme ordre", "Fakturaen var forkert")


def _comments(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<span class="comment">(.*?)</span>', html)]


@pytest.fixture
def admin(small, member_client):
    return member_client(small.owner)


def test_a_merged_themes_comments_keep_the_theme_it_went_into_after_the_reanalysis(
        small, admin, django_capture_on_commit_callbacks):
    """Billing merged into price: the comments about a double charge are price comments, also
    once the worker has read every comment again (the engine still knows billing when it sees
    it), and a new one is too."""
    from insights.models import CommentTheme, Theme
    from insights.services import comment_analyse, comments_analyse

    organization = small.organization
    add_responses(organization, small.cnps, [{"score": 3, "at": local(dt.date(2025, 3, 5)), "comment": text,
                                              "language": "da"} for text in BILLING])
    with tenant_context(organization):
        comments_analyse(organization=organization)
        billing, price = Theme.objects.get(key="billing"), Theme.objects.get(key="price")
        assert set(CommentTheme.objects.filter(theme=billing).values_list("analysis__response__comment",
                                                                          flat=True)) == set(BILLING)
    with django_capture_on_commit_callbacks(execute=True):  # the merge queues the re-analysis
        assert admin.post(f"/o/{small.slug}/insights/themes/{billing.pk}/merge/",
                          {"into": price.pk}).status_code == 302
    with tenant_context(organization):
        assert not CommentTheme.objects.filter(theme=billing).exists()
        assert set(BILLING) <= set(CommentTheme.objects.filter(theme=price).values_list(
            "analysis__response__comment", flat=True))
        new, = add_responses(organization, small.cnps, [{"score": 2, "at": local(dt.date(2025, 3, 6)),
                                                         "language": "da", "comment": "Forkert beløb på regningen"}])
        comment_analyse(organization=organization, response_id=new.pk)
        assert CommentTheme.objects.filter(theme=price, analysis__response=new).exists()
    # the explorer's price filter shows them; the merged theme is no longer offered as a filter
    page = admin.get(f"/o/{small.slug}/dashboard/comments/?{PERIOD}&theme=price").content.decode()
    assert set(BILLING) <= set(_comments(page)) and 'value="billing"' not in page
