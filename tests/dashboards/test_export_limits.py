"""The XLSX export is built whole before it is sent, so it holds at most XLSX_MAX_ANSWERS answers
(its last row then says so and points to the CSV, which streams every answer); it is written to
a temporary file and sent from there."""

from __future__ import annotations

import pytest

from tests.dashboards.test_exports import csv_rows, export_url, xlsx_rows

pytestmark = pytest.mark.django_db


def test_xlsx_stops_at_its_limit_and_points_to_the_csv(world, login, monkeypatch):
    from dashboards import views

    client = login(world.owner)
    every = csv_rows(client, export_url(world))
    assert len(every) > 4
    monkeypatch.setattr(views, "XLSX_MAX_ANSWERS", 3)
    response = client.get(export_url(world, "xlsx"))
    assert response.streaming  # from the temporary file, not a copy in memory
    assert 'filename="responses-' in response["Content-Disposition"]
    rows = xlsx_rows(client, export_url(world, "xlsx"))
    assert [[str(v) for v in row] for row in rows[:4]] == every[:4]  # the header and the first three
    assert len(rows) == 5
    assert rows[4][0] == "Only the first 3 answers fit in this file; the CSV export has all of them."


def test_xlsx_under_its_limit_has_no_note(world, login):
    client = login(world.owner)
    rows = xlsx_rows(client, export_url(world, "xlsx"))
    assert not any("CSV export" in str(row[0]) for row in rows)
