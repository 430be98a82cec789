from __future__ import annotations

import pytest

from .helpers import client_for


@pytest.fixture
def owner_client(org_a):
    _, owner = org_a
    return client_for(owner)
