"""The examples in docs/api.md run, as written, against a live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nps_platform.tenancy import tenant_context
from organizations.services import api_key_create
from tests.distribution.conftest import campaign_for, published_survey  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
BLOCKS = re.findall(r"```(bash|python)\n(.*?)```", DOC, flags=re.S)


def test_the_doc_has_examples():
    assert {kind for kind, _ in BLOCKS} == {"bash", "python"}


@pytest.mark.parametrize(("kind", "code"), BLOCKS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(BLOCKS)])
def test_each_example_runs(kind, code, make_org, live_server, published_survey, campaign_for):  # noqa: F811
    organization, owner = make_org("Docs ApS")
    survey = published_survey(organization, owner)
    campaign = campaign_for(organization, owner, survey, schedule="triggered")
    with tenant_context(organization):
        raw, _ = api_key_create(organization=organization, name="docs", scope="read_write", by=owner)
    env = {**os.environ, "NPS_URL": live_server.url, "NPS_KEY": raw, "NPS_CAMPAIGN": str(campaign.pk)}
    command = ["bash", "-euo", "pipefail", "-c", code] if kind == "bash" else [sys.executable, "-c", code]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if kind == "bash":
        import json

        answer = json.loads(result.stdout)
        assert "errors" not in answer and "detail" not in answer, answer  # not a problem document
    elif "/triggers/" in code:
        assert result.stdout.startswith("201 ") and "'scheduled': True" in result.stdout, result.stdout
    else:
        assert result.stdout.startswith("NPS "), result.stdout
