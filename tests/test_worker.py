"""Work that depends on a real Celery worker: the invitation mail leaves through it."""

from __future__ import annotations

import re

import pytest

from nps_platform.tenancy import tenant_context

pytestmark = pytest.mark.worker


def test_member_invitation_is_mailed_by_the_worker_once(celery_worker_process, smtp_sink, make_org):
    from organizations.models import MemberInvitation
    from organizations.services import member_invite
    from organizations.tasks import member_invitation_send

    organization, owner = make_org("Worker Test A/S")
    with tenant_context(organization):
        invitation = member_invite(organization=organization, email="new.colleague@example.com",
                                   role="viewer", by=owner)
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "new.colleague@example.com"
    body = smtp_sink.body(messages[0])
    assert re.search(r"/invite/\d+\.[\w-]+/", body)

    # A second run of the same task (a retry, a duplicate delivery) sends nothing more.
    member_invitation_send.delay(invitation_id=invitation.pk, organization_id=organization.pk)
    assert len(smtp_sink.wait_for(2, timeout=4)) == 1
    with tenant_context(organization):
        assert MemberInvitation.objects.get(pk=invitation.pk).token_hash
    log = celery_worker_process.log_path.read_text()
    assert log.count("organizations.member_invitation_send") >= 2  # both runs happened in the worker
    assert "already-sent" in log
