"""Personal data held about a contact: export it all, or erase it. Erasing removes the contact,
blanks their address on invitations and the free text of their answers, and unlinks the
answers; the scores stay, so the numbers do not change. The address stays on the suppression
list if it is there (so they are not surveyed again). Both are recorded in the audit log."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.dispatch import Signal

from contacts.models import Contact
from contacts.services import import_traces_erase
from distribution.models import Invitation
from organizations.models import AuditLogEntry, User
from organizations.services import audit_record

from .models import Response, ResponseChange
from .services import _announce

# organization, contact_id, response_ids, comments (the answers' words as they were, for the later
# stages to find and scrub their copies: a suggested theme's example comments, for one)
contact_erased = Signal()


def contact_export(*, contact: Contact, by: User | None) -> dict:
    invitations = Invitation.objects.filter(contact=contact).select_related("campaign", "survey")
    responses = Response.objects.filter(contact=contact).select_related("survey")
    data = {
        "contact": {
            "id": contact.pk, "email": contact.email, "name": contact.name, "language": contact.language,
            "department": contact.department.name if contact.department_id else None,
            "responsible_employee": contact.employee.name if contact.employee_id else None,
            "region": contact.region, "product": contact.product,
            "customer_since": contact.customer_since.isoformat() if contact.customer_since else None,
            "revenue_12m": str(contact.revenue_12m) if contact.revenue_12m is not None else None,
            "currency": contact.currency, "attributes": contact.attributes,
            "tags": [t.name for t in contact.tags.all()], "created_at": contact.created_at.isoformat(),
        },
        "invitations": [{"campaign": i.campaign.name, "survey": i.survey.name, "status": i.status,
                         "sent_at": i.sent_at.isoformat() if i.sent_at else None,
                         "responded_at": i.responded_at.isoformat() if i.responded_at else None}
                        for i in invitations],
        "responses": [{"survey": r.survey.name, "score": r.score, "answers": r.answers, "comment": r.comment,
                       "language": r.language, "created_at": r.created_at.isoformat()} for r in responses],
    }
    audit_record(organization=contact.organization, actor=by, action="contact.exported", target=contact,
                 summary=f"Exported the data held about contact {contact.pk}")
    return data


@transaction.atomic
def contact_erase(*, contact: Contact, by: User | None) -> dict:
    organization = contact.organization
    fingerprint = hashlib.sha256(contact.email.lower().encode()).hexdigest()[:16]
    responses = list(Response.objects.filter(contact=contact))
    comments = [r.comment for r in responses if r.comment]
    ResponseChange.objects.filter(response__in=responses).update(answers={})
    for response in responses:
        response.answers, response.comment, response.contact = {}, "", None
        response.save(update_fields=["answers", "comment", "contact", "updated_at"])
        _announce(response, created=False)  # the rollups recount: the scores stay, the comments go
    import_traces_erase(email=contact.email)
    invitations = Invitation.objects.filter(contact=contact).update(
        email=f"erased-{fingerprint}@erased.invalid", contact=None)
    contact_id = contact.pk
    # Earlier audit entries about this contact named them; they keep what happened, not who.
    AuditLogEntry.objects.filter(target_type="contact", target_id=str(contact_id)).update(
        summary=f"(contact {contact_id}, personal data erased)")
    contact.delete()
    contact_erased.send(sender=Contact, organization=organization, contact_id=contact_id,
                        response_ids=[r.pk for r in responses], comments=comments)
    audit_record(organization=organization, actor=by, action="contact.erased",
                 summary=f"Erased contact {contact_id} (fingerprint {fingerprint}): "
                         f"{len(responses)} answers kept without personal data, {invitations} invitations blanked",
                 data={"contact_id": contact_id, "fingerprint": fingerprint})
    return {"responses": len(responses), "invitations": invitations}
