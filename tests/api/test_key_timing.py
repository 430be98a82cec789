"""An API key for an unknown organization costs what a wrong key for a known one does (issue
15.10): the same hash and the same single lookup, so the answer's timing does not tell which
organization ids exist."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def lookups(raw: str) -> list[str]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/surveys/").status_code == 401
    return [re.sub(r"\d+|'[^']*'", "?", q["sql"]) for q in queries.captured_queries]


def test_unknown_and_known_organizations_take_the_same_steps(org_a):
    organization, _owner = org_a
    secret = "x" * 32
    known = lookups(f"{organization.pk}.{secret}")
    unknown = lookups(f"{organization.pk + 10_000}.{secret}")
    garbage = lookups(f"².{secret}")
    assert known == unknown == garbage and len(known) == 1
