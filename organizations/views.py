"""Pages for signing up, joining, and running an organization: members, departments,
employees, settings and the audit log. Thin: forms validate, services write."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import patch_cache_control
from django.views.decorators.http import require_POST

from nps_platform.cells import spreadsheet_cell
from nps_platform.pagination import page_of
from nps_platform.parsing import parse_id
from nps_platform.tenancy import tenant_context
from nps_platform.tokens import token_hash, token_organization_id

from . import access, selectors, services
from .accounts import sign_in_new_account
from .forms import (
    AcceptSignupForm,
    AuditLogFilterForm,
    DepartmentForm,
    EmployeeForm,
    EmployeeImportForm,
    MemberInviteForm,
    MembershipForm,
    OrganizationSettingsForm,
    SignupForm,
    TwoFactorPolicyForm,
)
from .models import ApiKey, Department, Employee, MemberInvitation, Membership, Organization, Role, User
from .security import members_two_factor_status
from .sso import services as sso_services
from .tasks import member_invitation_send


def _org_url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": request.organization.slug, **kwargs})


# --- Outside any organization ----------------------------------------------------------------

def home(request):
    if request.user.is_authenticated:
        memberships = list(selectors.user_memberships(user=request.user)[:2])
        if len(memberships) == 1:
            return redirect("org_overview", org_slug=memberships[0].organization.slug)
        return redirect("organization_switch")
    return render(request, "home.html")


def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            user, organization = services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                organization_name=form.cleaned_data["organization_name"],
            )
            sign_in_new_account(request, user)
            messages.success(request, _("Welcome! Your organization is ready."))
            return redirect("org_overview", org_slug=organization.slug)
    else:
        form = SignupForm()
    return render(request, "registration/signup.html", {"form": form})


@login_required
def organization_switch(request):
    memberships = selectors.user_memberships(user=request.user)
    return render(request, "organizations/switch.html", {"memberships": memberships})


@login_required
def organization_new(request):
    """An existing user starts another organization."""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if name:
            organization = services.organization_create(name=name[:200], owner=request.user)
            return redirect("org_overview", org_slug=organization.slug)
        messages.error(request, _("Give the organization a name."))
    return redirect("organization_switch")


def _invitation_from_token(token: str) -> MemberInvitation:
    organization_id = token_organization_id(token)
    organization = Organization.objects.filter(pk=organization_id, is_active=True).first() if organization_id else None
    if organization is None:
        raise Http404("Unknown invitation.")
    with tenant_context(organization):
        invitation = MemberInvitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise Http404("Unknown invitation.")
    return invitation


def invitation_accept(request, token: str):
    invitation = _invitation_from_token(token)
    organization = invitation.organization
    with tenant_context(organization):
        if not invitation.is_pending:
            return render(request, "organizations/invitation_invalid.html",
                          {"invitation": invitation}, status=410)
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
            return render(request, "organizations/invitation_wrong_account.html",
                          {"invitation": invitation, "organization": organization}, status=403)
        if request.user.is_authenticated:
            if request.method == "POST":
                services.member_invitation_accept(invitation=invitation, user=request.user)
                messages.success(request, _("You have joined %(org)s.") % {"org": organization.name})
                return redirect("org_overview", org_slug=organization.slug)
            return render(request, "organizations/invitation_accept.html",
                          {"invitation": invitation, "organization": organization})
        if existing is not None:
            messages.info(request, _("Log in as %(email)s to accept the invitation.") % {"email": invitation.email})
            return redirect(reverse("login") + "?next=" + request.path)
        if sso_services.connection_requiring_sso(invitation.email) is not None:
            # No password for this address: the first sign-in with the company account accepts it.
            return redirect(reverse("sso_start") + "?" + urlencode({"email": invitation.email}))
        form = AcceptSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                user = User.objects.create_user(email=invitation.email, password=form.cleaned_data["password"],
                                                full_name=form.cleaned_data["full_name"])
                services.member_invitation_accept(invitation=invitation, user=user)
            sign_in_new_account(request, user)
            return redirect("org_overview", org_slug=organization.slug)
        return render(request, "organizations/invitation_signup.html",
                      {"invitation": invitation, "organization": organization, "form": form})


# --- Inside an organization (/o/<slug>/) -----------------------------------------------------

def overview(request, org_slug):
    context = {
        "department_count": Department.objects.count(),
        "employee_count": Employee.objects.count(),
        "member_count": Membership.objects.count(),
    }
    return render(request, "organizations/overview.html", context)


def _organization_form_page(request, form_class, *, template: str, url_name: str, context=None):
    """A page of the organization's own settings: the form, saved through the one service."""
    # A copy: a rejected form must not leave its values on the organization the page shows.
    organization = Organization.objects.get(pk=request.organization.pk)
    form = form_class(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        organization = form.save(commit=False)
        services.organization_settings_update(organization=organization, by=request.user,
                                              changed=form.changed_data)
        messages.success(request, _("Settings saved."))
        return redirect(url_name, org_slug=organization.slug)
    return render(request, template, {"form": form, **(context or {})})


@access.admin_required
def organization_settings(request, org_slug):
    return _organization_form_page(request, OrganizationSettingsForm, template="organizations/settings.html",
                                   url_name="org_settings")


def member_list(request, org_slug):
    can_manage = access.may_administer(access.actor_of(request))
    form = None
    if can_manage:
        form = MemberInviteForm(request.POST or None, can_grant_owner=request.membership.role == Role.OWNER)
        if request.method == "POST" and form.is_valid():
            try:
                services.member_invite(organization=request.organization, email=form.cleaned_data["email"],
                                       role=form.cleaned_data["role"],
                                       departments=form.cleaned_data["departments"], by=request.user)
            except services.MemberError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(request, _("Invitation sent to %(email)s.")
                                 % {"email": form.cleaned_data["email"].lower()})
                return redirect("member_list", org_slug=org_slug)
    elif request.method == "POST":
        raise PermissionDenied("Only admins invite members.")
    return render(request, "organizations/members.html", {
        "memberships": selectors.membership_list(),
        "invitations": selectors.invitation_pending_list() if can_manage else [],
        "form": form,
        "can_manage": can_manage,
    })


@access.admin_required
def membership_edit(request, org_slug, membership_id):
    membership = get_object_or_404(Membership, pk=membership_id)
    is_owner = request.membership.role == Role.OWNER
    if membership.role == Role.OWNER and not is_owner:
        messages.error(request, _("Only an owner can change another owner."))
        return redirect("member_list", org_slug=org_slug)
    initial = {"role": membership.role, "departments": membership.departments.all()}
    form = MembershipForm(request.POST or None, initial=initial, can_grant_owner=is_owner)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, role=form.cleaned_data["role"],
                                       departments=form.cleaned_data["departments"], by=request.user)
        except services.MemberError as exc:
            form.add_error("role", exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("member_list", org_slug=org_slug)
    return render(request, "organizations/membership_edit.html", {"form": form, "membership": membership})


@require_POST
@access.admin_required
def membership_remove(request, org_slug, membership_id):
    membership = get_object_or_404(Membership, pk=membership_id)
    if membership.role == Role.OWNER and request.membership.role != Role.OWNER:
        messages.error(request, _("Only an owner can remove another owner."))
    else:
        try:
            services.membership_remove(membership=membership, by=request.user)
            messages.success(request, _("%(email)s no longer has access.") % {"email": membership.user.email})
        except services.MemberError as exc:
            messages.error(request, exc.message)
    return redirect("member_list", org_slug=org_slug)


@require_POST
@access.admin_required
def memberinvitation_revoke(request, org_slug, memberinvitation_id):
    invitation = get_object_or_404(MemberInvitation, pk=memberinvitation_id)
    services.member_invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation revoked."))
    return redirect("member_list", org_slug=org_slug)


@require_POST
@access.admin_required
def memberinvitation_resend(request, org_slug, memberinvitation_id):
    invitation = get_object_or_404(MemberInvitation, pk=memberinvitation_id)
    if invitation.is_pending:
        transaction.on_commit(lambda: member_invitation_send.delay(
            invitation_id=invitation.pk, organization_id=request.organization.pk, resend=True))
        messages.success(request, _("A new link is on its way to %(email)s.") % {"email": invitation.email})
    return redirect("member_list", org_slug=org_slug)


def department_list(request, org_slug):
    return render(request, "organizations/departments.html", {
        "tree": selectors.department_tree(),
        "form": DepartmentForm() if access.may_administer(access.actor_of(request)) else None,
    })


@access.admin_required
def department_edit(request, org_slug, department_id=None):
    department = get_object_or_404(Department, pk=department_id) if department_id else Department()
    initial = {}
    if department_id is None and request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = DepartmentForm(request.POST or None, instance=department, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(department=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": department.name})
            return redirect("department_list", org_slug=org_slug)
    return render(request, "organizations/department_edit.html", {"form": form, "department": department})


@require_POST
@access.admin_required
def department_delete(request, org_slug, department_id):
    department = get_object_or_404(Department, pk=department_id)
    try:
        services.department_delete(department=department, by=request.user)
        messages.success(request, _("Deleted %(name)s.") % {"name": department.name})
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("department_list", org_slug=org_slug)


def employee_list(request, org_slug):
    search = request.GET.get("q", "").strip()[:100]
    department_id = parse_id(request.GET.get("department"))
    employees = selectors.employee_list(search=search, department_id=department_id)
    context = {"employees": employees[:500], "total": employees.count(), "q": search,
               "department_id": department_id, "departments": Department.objects.order_by("name")}
    if request.htmx:
        return render(request, "organizations/_employee_rows.html", context)
    return render(request, "organizations/employees.html", context)


@access.admin_required
def employee_edit(request, org_slug, employee_id=None):
    employee = get_object_or_404(Employee, pk=employee_id) if employee_id else Employee()
    form = EmployeeForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        services.employee_save(employee=form.save(commit=False), by=request.user)
        messages.success(request, _("Saved %(name)s.") % {"name": employee.name})
        return redirect("employee_list", org_slug=org_slug)
    return render(request, "organizations/employee_edit.html", {"form": form, "employee": employee})


@require_POST
@access.admin_required
def employee_delete(request, org_slug, employee_id):
    employee = get_object_or_404(Employee, pk=employee_id)
    services.employee_delete(employee=employee, by=request.user)
    messages.success(request, _("Deleted %(name)s.") % {"name": employee.name})
    return redirect("employee_list", org_slug=org_slug)


@access.admin_required
def employee_import(request, org_slug):
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.employees_import_csv(organization=request.organization,
                                               data=form.cleaned_data["file"].read(), by=request.user)
        if result.ok:
            messages.success(request, _("Imported: %(c)d new, %(u)d updated.") % {"c": result.created,
                                                                                   "u": result.updated})
            return redirect("employee_list", org_slug=org_slug)
    return render(request, "organizations/employee_import.html", {"form": form, "result": result})


@access.admin_required
def api_keys(request, org_slug):
    new_key = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        scope = request.POST.get("scope", ApiKey.Scope.READ)
        if name and scope in ApiKey.Scope.values:
            new_key, _key = services.api_key_create(organization=request.organization, name=name, scope=scope,
                                                    by=request.user)
        else:
            messages.error(request, _("Give the key a name and a scope."))
    return render(request, "organizations/api_keys.html", {
        "keys": ApiKey.objects.all(), "new_key": new_key, "scopes": ApiKey.Scope.choices})


@require_POST
@access.admin_required
def apikey_revoke(request, org_slug, apikey_id):
    key = get_object_or_404(ApiKey, pk=apikey_id, revoked_at=None)
    services.api_key_revoke(key=key, by=request.user)
    messages.success(request, _("The key “%(name)s” no longer works.") % {"name": key.name})
    return redirect("api_keys", org_slug=org_slug)


@access.admin_required
def audit_log(request, org_slug):
    entries, form = _audit_entries(request)
    if request.GET.get("format") == "csv":
        return _audit_csv(entries, organization=request.organization)
    page = page_of(request, entries)
    return render(request, "organizations/audit_log.html", {"entries": page, "page_obj": page, "form": form})


def _audit_entries(request):
    form = AuditLogFilterForm(request.GET or None, actions=selectors.audit_log_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    actor = filters.get("actor")
    entries = selectors.audit_log(actor_id=actor.pk if actor else None, action=filters.get("action", ""),
                                  since=filters.get("since"), until=filters.get("until"),
                                  time_zone=request.organization.time_zone)
    return entries, form


def _audit_csv(entries, *, organization):
    """The filtered log as CSV, streamed; cells a spreadsheet would run as formulas are quoted."""
    class Echo:
        def write(self, value):
            return value

    def safe(text) -> str:
        return spreadsheet_cell(str(text))  # the one formula guard (nps_platform.cells)

    def rows():  # streamed after the view returns: the organization's context again
        writer = csv.writer(Echo())
        yield "\ufeff" + writer.writerow(["when", "who", "action", "target", "details"])
        with tenant_context(organization):
            for e in entries.iterator(chunk_size=2000):
                    yield writer.writerow([
                    timezone.localtime(e.created_at).isoformat(timespec="seconds"),
                    safe(e.actor.email if e.actor else ""), safe(e.action),
                    safe(f"{e.target_type}:{e.target_id}" if e.target_type else ""), safe(e.summary)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.now():%Y-%m-%d}.csv"'
    return response


def brand_css(request, organization_id: int):
    """The organization's colours for respondent pages, as a stylesheet (the CSP forbids inline
    styles). The text colour on the brand colour is chosen for contrast."""
    organization = get_object_or_404(Organization, pk=organization_id, is_active=True)
    color = organization.brand_color
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    text = "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) else "#1d1d1f"
    response = HttpResponse(f":root {{ --brand: {color}; --brand-text: {text}; }}\n", content_type="text/css")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@access.admin_required
def organization_security(request, org_slug):
    """Sign-in and security: who must use two-factor authentication (and who has not set it up
    yet); single sign-on has its own section (organizations/sso)."""
    return _organization_form_page(
        request, TwoFactorPolicyForm, template="organizations/security.html", url_name="org_security",
        context={"members": members_two_factor_status(organization=request.organization)})
