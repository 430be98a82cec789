"""With a replica, what decides access is still read on the primary: a removed member, a revoked
key, a deactivated organization or a removed second factor loses access at once, whatever the
replica's lag; the figures (answers, rollups) read the replica."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from dashboards.models import Rollup
from nps_platform import db_router
from nps_platform.db_router import REPLICA, read_alias
from organizations.models import ApiKey, Membership, Organization, User
from responses.models import Response


def test_access_is_decided_on_the_primary_and_figures_read_the_replica():
    token = db_router._replica_reads.set(True)  # as in a dashboard request with the replica up
    try:
        assert {read_alias(m) for m in (Membership, ApiKey, Organization, User, Authenticator)} == {"default"}
        assert {read_alias(m) for m in (Response, Rollup)} == {REPLICA}
    finally:
        db_router._replica_reads.reset(token)
    assert read_alias(Response) == "default"
