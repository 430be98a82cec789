"""Background work for organizations: sending member invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from nps_platform.celery import app
from nps_platform.mail import mail_render_and_send
from nps_platform.tokens import token_make

from .i18n import language_for
from .models import MemberInvitation, User
from .tenancy import tenant_task


@app.task(name="organizations.member_invitation_send", bind=True, max_retries=5,
          autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True)
@tenant_task
def member_invitation_send(self, *, invitation_id: int, organization, resend: bool = False) -> str:
    """Makes the invitation's token and mails the link. Safe to run twice: a sent invitation is
    not sent again unless `resend` asks for a fresh link (which voids the old one)."""
    with transaction.atomic():
        invitation = MemberInvitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or not invitation.is_pending:
            return "skipped"
        if invitation.token_hash and not resend:
            return "already-sent"
        raw, invitation.token_hash = token_make(organization_id=organization.pk)
        link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"token": raw})
        # an invitee who already has an account reads it in their language, others in the organization's
        known = User.objects.filter(email__iexact=invitation.email).first()
        language = language_for(known, organization)
        with translation.override(language):
            subject = gettext("You are invited to %(organization)s on NPS Platform") % {
                "organization": organization.name}
        mail_render_and_send(
            to=[invitation.email], subject=subject, template="emails/member_invitation", language=language,
            context={"invitation": invitation, "organization": organization, "link": link,
                     "inviter": invitation.invited_by},
        )
        invitation.save(update_fields=["token_hash"])
    return f"sent at {timezone.now():%H:%M:%S}"
