"""Writes for organizations, members, departments and employees. Views call these; each one
records itself in the audit log and queues its side effects after commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from nps_platform.celery import task_enqueue_on_commit
from nps_platform.csvio import CsvFormatError, csv_rows
from nps_platform.tenancy import tenant_context
from nps_platform.tokens import token_hash, token_make, token_organization_id

from .models import (
    ApiKey,
    AuditLogEntry,
    Department,
    Employee,
    MemberInvitation,
    Membership,
    Organization,
    Role,
    User,
)

# After commit, with `organization_id`: the organization's time zone changed, so every rollup
# counted by local day (the dashboards', the comments') is counted again by the later stages.
time_zone_changed = Signal()


def audit_record(*, organization: Organization, actor: User | None, action: str, target=None,
                 summary: str = "", data: dict | None = None) -> AuditLogEntry:
    return AuditLogEntry.objects.dangerously_unscoped().create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:500],
        data=data or {},
    )


def organization_slug_free(*, name: str) -> str:
    base = slugify(name)[:50].strip("-") or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, name: str, owner: User, slug: str | None = None, **fields) -> Organization:
    organization = Organization.objects.create(
        name=name, slug=slug or organization_slug_free(name=name), **fields
    )
    with tenant_context(organization):
        Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
        audit_record(organization=organization, actor=owner, action="organization.created",
                     target=organization, summary=f"{owner.email} created {name}")
    return organization


@transaction.atomic
def user_signup(*, email: str, password: str, full_name: str, organization_name: str) -> tuple[User, Organization]:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    organization = organization_create(name=organization_name, owner=user)
    return user, organization


@transaction.atomic
def organization_settings_update(*, organization: Organization, by: User, changed: list[str]) -> Organization:
    """The form has set the fields already; save them and say which changed."""
    with transaction.atomic():
        organization.full_clean()
        organization.save()
        audit_record(organization=organization, actor=by, action="organization.settings_changed",
                     target=organization, summary="Changed " + ", ".join(changed) if changed else "No change",
                     data={"fields": changed})
        if "time_zone" in changed:
            organization_id = organization.pk
            transaction.on_commit(lambda: time_zone_changed.send(sender=Organization, organization_id=organization_id))
    return organization


# --- Members ---------------------------------------------------------------------------------

class MemberError(ValidationError):
    pass


def member_invite(*, organization: Organization, email: str, role: str, departments=(), by: User) -> MemberInvitation:
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise MemberError(f"{email} is already a member.")
    with transaction.atomic():
        # A newer invitation replaces any pending one for the same address.
        MemberInvitation.objects.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        invitation = MemberInvitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            invited_by=by,
            token_hash="",
            expires_at=timezone.now() + timedelta(days=settings.MEMBER_INVITATION_DAYS),
        )
        invitation.departments.set(departments)
        audit_record(organization=organization, actor=by, action="member.invited", target=invitation,
                     summary=f"Invited {email} as {role}")
        task_enqueue_on_commit("organizations.member_invitation_send", invitation_id=invitation.pk,
                               organization_id=organization.pk)
    return invitation


def member_invitation_revoke(*, invitation: MemberInvitation, by: User) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(organization=invitation.organization, actor=by, action="member.invitation_revoked",
                 target=invitation, summary=f"Revoked the invitation of {invitation.email}")


@transaction.atomic
def member_invitation_accept(*, invitation: MemberInvitation, user: User) -> Membership:
    if not invitation.is_pending:
        raise MemberError("This invitation is no longer valid.")
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    if created:
        membership.departments.set(invitation.departments.all())
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(organization=invitation.organization, actor=user, action="member.joined", target=membership,
                 summary=f"{user.email} joined as {membership.role}")
    return membership


def _owners_left(*, excluding: Membership) -> int:
    return Membership.objects.filter(role=Role.OWNER).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_update(*, membership: Membership, role: str, departments, by: User) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left(excluding=membership) == 0:
        raise MemberError("An organization needs at least one owner.")
    membership.role = role
    membership.save(update_fields=["role"])
    membership.departments.set(departments if role == Role.MANAGER else [])
    audit_record(organization=membership.organization, actor=by, action="member.updated", target=membership,
                 summary=f"{membership.user.email} is now {role}")
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    if membership.role == Role.OWNER and _owners_left(excluding=membership) == 0:
        raise MemberError("An organization needs at least one owner.")
    audit_record(organization=membership.organization, actor=by, action="member.removed", target=membership,
                 summary=f"Removed {membership.user.email}")
    Organization.objects.filter(pk=membership.organization_id, alert_fallback_id=membership.user_id).update(
        alert_fallback=None)
    membership.delete()


# --- Departments -----------------------------------------------------------------------------

def department_save(*, department: Department, by: User) -> Department:
    created = department.pk is None
    ancestor = department.parent
    while ancestor is not None:
        if ancestor.pk == department.pk:
            raise ValidationError({"parent": "A department cannot sit inside itself."})
        ancestor = ancestor.parent
    with transaction.atomic():
        department.save()
        audit_record(organization=department.organization, actor=by,
                     action="department.created" if created else "department.updated",
                     target=department, summary=department.name)
    return department


def department_delete(*, department: Department, by: User) -> None:
    try:
        with transaction.atomic():
            audit_record(organization=department.organization, actor=by, action="department.deleted",
                         target=department, summary=department.name)
            department.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"{department.name} has teams inside it; move or delete those first."
        ) from exc


def department_by_path(*, path: str, create: bool, created: list[str] | None = None) -> Department | None:
    """'Sales / Nordic' → the Nordic team inside Sales (case-insensitive); creates what is missing
    when asked to, listing each created department's own path once in `created`."""
    parent = None
    walked: list[str] = []
    for part in [p.strip() for p in path.replace(">", "/").split("/") if p.strip()]:
        walked.append(part)
        node = Department.objects.filter(parent=parent, name__iexact=part).first()
        if node is None:
            if not create:
                return None
            node = Department.objects.create(
                name=part, parent=parent,
                kind=Department.Kind.DEPARTMENT if parent is None else Department.Kind.TEAM,
            )
            if created is not None:
                created.append(" / ".join(walked))
        parent = node
    return parent


# --- Employees -------------------------------------------------------------------------------

def employee_save(*, employee: Employee, by: User) -> Employee:
    created = employee.pk is None
    with transaction.atomic():
        employee.save()
        audit_record(organization=employee.organization, actor=by,
                     action="employee.created" if created else "employee.updated",
                     target=employee, summary=employee.name)
    return employee


def employee_delete(*, employee: Employee, by: User) -> None:
    with transaction.atomic():
        audit_record(organization=employee.organization, actor=by, action="employee.deleted",
                     target=employee, summary=employee.name)
        employee.delete()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    departments_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


EMPLOYEE_CSV_COLUMNS = {"name", "email", "department", "title", "customer_facing"}
_TRUE = {"1", "yes", "y", "true", "ja", "j", "kyllä", "da"}
_FALSE = {"0", "no", "n", "false", "nej", "nei", "ei", "ne", "nein"}


def employees_import_csv(*, organization: Organization, data: bytes, by: User) -> ImportResult:
    """All or nothing: every bad line is reported, and if there is any, nothing is written.
    Rows are matched to existing employees by email (upsert); missing departments are created
    from their path ('Sales / Nordic')."""
    result = ImportResult()
    try:
        _, rows = csv_rows(data, required={"name"})
        parsed = []
        seen: dict[str, int] = {}
        for row in rows:
            if "__error__" in row.values:
                result.errors.append(gettext("Line %(line)s: %(problem)s.") % {"line": row.line,
                                                                                 "problem": row.values["__error__"]})
                continue
            name, email = row.values.get("name", ""), row.values.get("email", "").lower()
            problems = []
            if not name:
                problems.append(gettext("the name is empty"))
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    problems.append(gettext("“%(email)s” is not an email address") % {"email": email})
                if email in seen:
                    problems.append(gettext("the email %(email)s is also on line %(line)s")
                                    % {"email": email, "line": seen[email]})
                seen.setdefault(email, row.line)
            flag = row.values.get("customer_facing", "").lower()
            if flag and flag not in _TRUE | _FALSE:
                problems.append(gettext("customer_facing must be yes or no, not “%(value)s”") % {"value": flag})
            if problems:
                result.errors.append(gettext("Line %(line)s: %(problem)s.") % {"line": row.line,
                                                                                 "problem": "; ".join(problems)})
            else:
                parsed.append((row.line, name, email, row.values))
    except CsvFormatError as exc:
        result.errors.append(str(exc))
    if result.errors:
        return result

    with transaction.atomic():
        for _line, name, email, values in parsed:
            department = None
            if values.get("department"):
                department = department_by_path(path=values["department"], create=True,
                                                created=result.departments_created)
            employee = Employee.objects.filter(email__iexact=email).first() if email else None
            if employee is None:
                employee = Employee(organization=organization, email=email)
                result.created += 1
            else:
                result.updated += 1
            employee.name = name
            employee.department = department or employee.department
            employee.title = values.get("title", employee.title) or employee.title
            flag = values.get("customer_facing", "").lower()
            if flag:
                employee.is_customer_facing = flag in _TRUE
            employee.save()
        audit_record(organization=organization, actor=by, action="employee.imported",
                     summary=f"Imported employees: {result.created} new, {result.updated} updated",
                     data={"created": result.created, "updated": result.updated,
                           "departments_created": result.departments_created})
    return result


# --- API keys --------------------------------------------------------------------------------

def api_key_create(*, organization: Organization, name: str, scope: str, by: User) -> tuple[str, ApiKey]:
    """A new key; the raw key is returned once, only its hash is kept."""
    raw, hashed = token_make(organization_id=organization.pk)
    key = ApiKey.objects.create(organization=organization, name=name, scope=scope, key_hash=hashed,
                                hint=raw[-6:], created_by=by)
    audit_record(organization=organization, actor=by, action="api_key.created", target=key,
                 summary=f"{name} ({scope})")
    return raw, key


def api_key_revoke(*, key, by: User) -> None:
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(organization=key.organization, actor=by, action="api_key.revoked", target=key, summary=key.name)


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The live key `raw` is (not revoked, its organization active), marked as used; None for
    anything else. The API kit calls it (settings.API_KEY_AUTHENTICATE) for each bearer token."""
    # The same work whether or not the organization exists (one hash, one indexed lookup of
    # the key joined to its active organization), so the answer's timing tells nothing.
    organization_id = token_organization_id(raw) or 0
    key = (ApiKey.objects.dangerously_unscoped().select_related("organization")
           .filter(organization_id=organization_id, organization__is_active=True, key_hash=token_hash(raw),
                   revoked_at=None).first())
    if key is not None:
        ApiKey.objects.dangerously_unscoped().filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
