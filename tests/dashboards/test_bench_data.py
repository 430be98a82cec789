"""`manage.py bench_data` builds its rollups in SQL (GROUPING SETS, one statement per key kind);
they are the rows `dashboards.rollups` would write: equal to the independent recount, and to a
rebuild through `rollups_rebuild`. Its segment's rollups are built by the product's own build,
current and equal to a recount of the segment's contacts' answers."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import rebuild, recount, rollup_rows, segment_members, segment_rollup_rows


@pytest.mark.django_db(transaction=True)
def test_bench_data_rollups_equal_a_recount_and_a_rebuild():
    from organizations.models import Organization

    call_command("bench_data", slug="bench-test", responses=600, days=20, stdout=io.StringIO())
    organization = Organization.objects.get(slug="bench-test")
    built = rollup_rows(organization)
    expected = recount(organization)
    assert built == expected
    keys = {k.split(":", 1)[0] for (_s, _d, k, _department) in built}
    assert {"all", "channel", "language", "region", "product", "source"} <= keys
    assert any(department is not None for (_s, _d, _k, department) in built)
    from contacts.models import Segment
    from dashboards.models import SegmentRollupState

    with tenant_context(organization):
        segment = Segment.objects.get(name="Region Nord")
        assert SegmentRollupState.objects.select_related("segment").get(segment=segment).current
    members = segment_members(organization, segment)
    in_segment = recount(organization, members)
    assert members and segment_rollup_rows(organization, segment) == in_segment

    rebuild(organization)
    assert rollup_rows(organization) == expected
    assert segment_rollup_rows(organization, segment) == in_segment
