from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Department, Employee, Membership, Organization, Role, User
from .sso.gate import sso_required_message


class CrispyMixin:
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class SignupForm(CrispyMixin, forms.Form):
    submit_label = _("Create my organization")

    organization_name = forms.CharField(label=_("Organization name"), max_length=200)
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email exists already. Log in instead."))
        if message := sso_required_message(email):  # no password for this address: its company's IdP
            raise forms.ValidationError(message, code="sso_required")
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            user = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class AcceptSignupForm(CrispyMixin, forms.Form):
    """Account creation for someone arriving from a member invitation."""

    submit_label = _("Create account and join")

    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email))
        return password


class OrganizationSettingsForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug", "logo", "brand_color", "default_language", "time_zone",
                  "quiet_period_days", "employee_visibility", "anonymity_threshold", "alert_fallback",
                  "digest_weekday", "nps_target", "promoter_value", "detractor_cost", "value_currency"]
        widgets = {"brand_color": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's help names the placeholder in angle brackets, which a page would read as
        # a tag ("/o//"); here it shows the organization's own address, escaped.
        self.fields["slug"].help_text = format_html(
            _("Used in this organization's addresses: {address}. Changing it breaks bookmarked links."),
            address=f"/o/{self.instance.slug or 'your-organization'}/")
        self.fields["alert_fallback"].queryset = User.objects.filter(
            pk__in=Membership.objects.values("user_id")).order_by("email")


class TwoFactorPolicyForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["two_factor_required"]
        widgets = {"two_factor_required": forms.RadioSelect}
        help_texts = {"two_factor_required": _(
            "Members it applies to are asked to set up an authenticator app or a passkey at their next "
            "sign-in and cannot open this organization's pages before. API keys are not affected.")}


class DepartmentForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("— top level —")

    def clean(self):
        # The unique constraint includes `organization`, which is not a form field, so Django's
        # own uniqueness check skips it; check here for a message instead of a database error.
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and Department.objects.filter(parent=cleaned.get("parent"), name__iexact=name).exclude(
            pk=self.instance.pk
        ).exists():
            self.add_error("name", _("There is already a department with this name here."))
        return cleaned


class EmployeeForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Employee
        fields = ["name", "email", "title", "department", "user", "is_customer_facing", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        # Only this organization's members can be linked, so they may later see their own scores.
        self.fields["user"].queryset = User.objects.filter(
            pk__in=Membership.objects.values("user_id")).order_by("email")
        self.fields["user"].help_text = _("Link a member's login, if the employee has one.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and Employee.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another employee already has this email address."))
        return email


class EmployeeImportForm(CrispyMixin, forms.Form):
    submit_label = _("Import")
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: name (required), email, department (e.g. “Sales / Nordic”), title, "
                    "customer_facing (yes/no). Comma or semicolon separated, UTF-8 or Windows-1252."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class MemberInviteForm(CrispyMixin, forms.Form):
    submit_label = _("Send invitation")
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments (for managers)"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, can_grant_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.all()
        if not can_grant_owner:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.MANAGER and not cleaned.get("departments"):
            self.add_error("departments", _("A manager needs at least one department."))
        return cleaned


class MembershipForm(MemberInviteForm):
    submit_label = _("Save")
    email = None


class AuditLogFilterForm(forms.Form):
    """The audit log's filters (a GET form): who, what, and from/to which day."""

    actor = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none(), required=False,
                                   empty_label="—")
    action = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = User.objects.filter(
            pk__in=Membership.objects.values("user_id")).order_by("email")
        groups = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
        self.fields["action"].choices = [("", "—")] + [(g, g + "*") for g in groups] + [(a, a) for a in actions]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("actor", "action") else "form-control"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", _("The end comes before the start."))
        return cleaned
