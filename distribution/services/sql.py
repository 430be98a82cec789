"""Distribution's set-based statements, the one place where PostgreSQL and the embedded mode's
SQLite part ways: on PostgreSQL a chunk is one statement (INSERT … SELECT unnest, INSERT … ON
CONFLICT … RETURNING, UPDATE … FROM unnest); on SQLite the same effect goes through the ORM, a
row at a time (`tests/test_embedded_mode.py` runs those)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db import connection as db
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Organization

from ..models import Campaign, EmailSend, Invitation

INVITATION_COLUMNS = ("contact_id", "employee_id", "email", "language", "token_nonce", "token_hash",
                      "scheduled_for", "expires_at")
_INVITATION_TYPES = ("bigint", "bigint", "text", "text", "text", "text", "timestamptz", "timestamptz")


def postgres() -> bool:
    return db.vendor == "postgresql"


def invitations_insert(*, campaign: Campaign, values: list[dict], contacts: list[tuple]) -> int:
    """A chunk's invitations (`values`, columns as INVITATION_COLUMNS) written at once, an existing
    invitation for the campaign and person left as it is, and the quiet period of the chunk's
    contacts ((id, at) pairs) started. Returns how many invitations were made."""
    if not postgres():
        return _invitations_write_portably(campaign, values, contacts)
    organization_id = campaign.organization_id
    columns = ", ".join(INVITATION_COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for t in _INVITATION_TYPES)
    created_at = timezone.now()
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Invitation._meta.db_table} (organization_id, campaign_id, survey_id, {columns}, "  # noqa: S608
            f"status, external_id, last_error, created_at) SELECT %s, %s, %s, {columns}, %s, '', '', %s "
            f"FROM unnest({arrays}) AS v({columns}) ON CONFLICT DO NOTHING",
            [organization_id, campaign.pk, campaign.survey_id, Invitation.Status.SCHEDULED, created_at,
             *([v[c] for v in values] for c in INVITATION_COLUMNS)])
        count = cursor.rowcount
        # The quiet period starts when a survey is on its way.
        if contacts:
            cursor.execute(
                f"UPDATE {Contact._meta.db_table} AS c SET last_invited_at = v.at "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) "
                "WHERE c.id = v.id AND c.organization_id = %s",
                [[pk for pk, _ in contacts], [at for _, at in contacts], organization_id])
    return count


def _invitations_write_portably(campaign: Campaign, values: list[dict], contacts: list[tuple]) -> int:
    before = Invitation.objects.filter(campaign=campaign).count()
    Invitation.objects.bulk_create(
        [Invitation(organization_id=campaign.organization_id, campaign=campaign, survey_id=campaign.survey_id,
                    status=Invitation.Status.SCHEDULED, **v) for v in values], ignore_conflicts=True)
    Contact.objects.bulk_update([Contact(pk=pk, last_invited_at=at) for pk, at in contacts], ["last_invited_at"])
    return Invitation.objects.filter(campaign=campaign).count() - before


def sends_claim_new(*, organization: Organization, invitations: list[Invitation], kind: str,
                    claimed_at: dt.datetime) -> dict[int, int]:
    """New EmailSend rows ("sending", first attempt) for the invitations that have none of this
    kind, committed; returns {invitation id: send id} for the rows made here (they are ours)."""
    if postgres():
        with db.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {EmailSend._meta.db_table} "  # noqa: S608 - our own table name
                "(organization_id, invitation_id, kind, status, attempts, claimed_at, message_id, error, "
                "maybe_duplicate) SELECT %s, i, %s, %s, 1, %s, '', '', false FROM unnest(%s::bigint[]) AS i "
                "ON CONFLICT ON CONSTRAINT emailsend_unique_kind DO NOTHING RETURNING id, invitation_id",
                [organization.pk, kind, EmailSend.Status.SENDING, claimed_at, [i.pk for i in invitations]])
            return dict((invitation_id, pk) for pk, invitation_id in cursor.fetchall())
    created = {}
    for invitation in invitations:
        try:
            with transaction.atomic():
                created[invitation.pk] = EmailSend.objects.create(
                    organization=organization, invitation=invitation, kind=kind, status=EmailSend.Status.SENDING,
                    attempts=1, claimed_at=claimed_at).pk
        except IntegrityError:
            pass
    return created


def sends_mark_sent(*, organization: Organization, sent: list[tuple[int, int, dt.datetime, str]], kind: str) -> None:
    """(send id, invitation id, sent at, message id) → the sends and their invitations marked
    sent, two statements in one transaction."""
    if not sent:
        return
    if not postgres():
        with transaction.atomic():
            for send_id, invitation_id, sent_at, message_id in sent:
                EmailSend.objects.filter(pk=send_id).update(status=EmailSend.Status.SENT, sent_at=sent_at, error="",
                                                            message_id=message_id)
                Invitation.objects.filter(pk=invitation_id).update(
                    **({"status": Invitation.Status.SENT, "sent_at": sent_at, "last_error": ""}
                       if kind == EmailSend.Kind.INVITATION else {"reminder_sent_at": sent_at}))
        return
    send_ids, invitation_ids, times, message_ids = (list(column) for column in zip(*sent, strict=True))
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EmailSend._meta.db_table} AS s SET status = %s, sent_at = v.sent_at, error = '', "  # noqa: S608
            "message_id = v.message_id FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[]) "
            "AS v(id, sent_at, message_id) WHERE s.id = v.id AND s.organization_id = %s",
            [EmailSend.Status.SENT, send_ids, times, message_ids, organization.pk])
        if kind == EmailSend.Kind.INVITATION:
            assignments, params = "status = %s, sent_at = v.sent_at, last_error = ''", [Invitation.Status.SENT]
        else:
            assignments, params = "reminder_sent_at = v.sent_at", []
        cursor.execute(
            f"UPDATE {Invitation._meta.db_table} AS i SET {assignments} "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, sent_at) "
            "WHERE i.id = v.id AND i.organization_id = %s",
            [*params, invitation_ids, times, organization.pk])
