"""`manage.py bench_data` builds its rollups in SQL (GROUPING SETS, one statement per key kind);
they are the rows `dashboards.rollups` would write: equal to the independent recount, and to a
rebuild through `rollups_rebuild`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.dashboards.helpers import rebuild, recount, rollup_rows


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
    rebuild(organization)
    assert rollup_rows(organization) == expected
