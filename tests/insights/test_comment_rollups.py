"""The comment rollups (`insights.rollups`) always equal a recount of the answers and their
analyses: after answers, analyses, changes, emptied comments and deletions made through the
product's own paths, after a theme merge and a backfill, after `comment_rollups_rebuild`, and as
`bench_data` writes them. The sentiment card and the drivers read them under every filter and
reader's scope exactly as a GROUP BY over the reader's answers counts; one tenant's rows never
reach another."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.insights.helpers import comment_recount, comment_rollup_rows


@pytest.mark.django_db(transaction=True)
def test_bench_data_comment_rollups_equal_a_recount_and_a_rebuild():
    from insights.models import CommentAnalysis, CommentTheme
    from nps_platform.tenancy import tenant_context
    from organizations.models import Organization
    from responses.models import Response

    call_command("bench_data", slug="bench-test", responses=1500, days=20, stdout=io.StringIO())
    organization = Organization.objects.get(slug="bench-test")
    built = comment_rollup_rows(organization)
    expected = comment_recount(organization)
    assert built == expected
    with tenant_context(organization):
        commented = Response.objects.exclude(comment="").count()
        analysed = CommentAnalysis.objects.count()
        assert 0.55 * commented < analysed < 0.75 * commented  # about 65 %
        # the sentiment follows the score, mostly
        agree = CommentAnalysis.objects.filter(response__category="promoter", sentiment="positive").count()
        assert agree > 0.8 * CommentAnalysis.objects.filter(response__category="promoter").count()
        assert CommentTheme.objects.count() > analysed  # one theme each, a second for some
    assert any(department is not None for (_s, _d, department, _c, _x) in built[0])
    assert any(sentiment == "" for (_s, _d, _department, _c, sentiment) in built[0])  # not analysed
    out = io.StringIO()
    call_command("comment_rollups_rebuild", org="bench-test", stdout=out)
    assert out.getvalue().startswith("bench-test: ")
    assert comment_rollup_rows(organization) == expected
