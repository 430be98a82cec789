"""Tenants and the people in them: users, organizations, memberships with roles, departments
(a tree), employees, member invitations and the audit log."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.encoders import JSONEncoder  # DRF's: the replay renders as the first answer did

from nps_platform.tenancy import TenantModel

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        """The login (ModelBackend, the admin, password checks) finds the email whatever its case:
        new addresses are stored in lower case, an older mixed-case one still matches (an exact
        match wins if two differ only in case)."""
        email = (username or "").strip()
        found = (self.filter(email__iexact=email)
                 .order_by(models.Case(models.When(email=email, then=0), default=1), "pk").first())
        if found is None:
            raise self.model.DoesNotExist(f"No user with the email {email!r}.")
        return found


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Users are global; what they may see comes from memberships."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The language of the pages and the staff emails this person gets; blank: the organization's.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class EmployeeVisibility(models.TextChoices):
    NOBODY = "nobody", _("Nobody")
    MANAGERS = "managers", _("Managers of the employee's department")
    EMPLOYEE_AND_MANAGERS = "employee_and_managers", _("The employee and their managers")
    ALL_MEMBERS = "all_members", _("All members")


class TwoFactorPolicy(models.TextChoices):
    NOBODY = "nobody", _("Nobody (each member may still turn it on)")
    ADMINS = "admins", _("Owners and admins")
    EVERYONE = "everyone", _("Every member")


class Organization(models.Model):
    """The tenant. Not itself tenant-scoped: it is what the scope is."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Lowercase letters, digits and dashes."))],
        help_text=_("Used in addresses: /o/<slug>/"),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    brand_color = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#1f4e79",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #1f4e79."))],
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Copenhagen"
    )
    quiet_period_days = models.PositiveIntegerField(
        _("quiet period (days)"),
        default=90,
        validators=[MaxValueValidator(730)],
        help_text=_("No contact is surveyed more often than this, across all surveys."),
    )
    employee_visibility = models.CharField(
        _("who may see individual employees' scores"),
        max_length=32,
        choices=EmployeeVisibility.choices,
        default=EmployeeVisibility.MANAGERS,
    )
    anonymity_threshold = models.PositiveIntegerField(
        _("anonymity threshold for employee surveys"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_("Employee survey results are shown only for groups of at least this many people."),
    )
    alert_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("alerts without a responsible manager go to"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Empty: the organization's owners."))
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest to customer-facing employees"), null=True, blank=True, default=0,
        choices=[(0, _("Mondays")), (1, _("Tuesdays")), (2, _("Wednesdays")), (3, _("Thursdays")),
                 (4, _("Fridays"))], help_text=_("Empty: no digest."))
    nps_target = models.IntegerField(_("NPS target"), null=True, blank=True,
                                     validators=[MinValueValidator(-100), MaxValueValidator(100)])
    promoter_value = models.DecimalField(_("value of a promoter"), max_digits=12, decimal_places=2, null=True,
                                         blank=True, help_text=_("Your own estimate, e.g. 50 000 DKK."))
    detractor_cost = models.DecimalField(_("cost of a detractor"), max_digits=12, decimal_places=2, null=True,
                                         blank=True, help_text=_("Your own estimate, e.g. 25 000 DKK."))
    value_currency = models.CharField(_("currency of these values"), max_length=3, default="DKK")
    # Members these roles cover reach none of the organization's pages (nor its API with a
    # session) before they set up a second factor (organizations.security).
    two_factor_required = models.CharField(
        _("two-factor authentication required for"), max_length=16, choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.NOBODY)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")


ADMIN_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Department(TenantModel):
    """A node in the organization's tree: department → team / function → …"""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")
        FUNCTION = "function", _("Function")
        REGION = "region", _("Region")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Two partial constraints rather than nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                "organization", "parent", Lower("name"), name="department_unique_name_per_parent",
                condition=models.Q(parent__isnull=False),
            ),
            models.UniqueConstraint(
                "organization", Lower("name"), name="department_unique_top_level_name",
                condition=models.Q(parent__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user's place in an organization: a role, and for managers the departments they lead."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="managers", verbose_name=_("departments")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


class Employee(TenantModel):
    """A person who works for the organization: surveyed by eNPS, responsible for customers."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee_records",
    )
    is_customer_facing = models.BooleanField(_("customer-facing"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("email"),
                condition=~models.Q(email=""),
                name="employee_unique_email",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberInvitation(TenantModel):
    """An emailed invitation to join the organization; the token is stored only as a hash."""

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    departments = models.ManyToManyField(Department, blank=True, verbose_name=_("departments"))
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "token_hash"], name="member_invitation_unique_token"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditLogEntry(TenantModel):
    """Who did what, when. Written by services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class ApiKey(TenantModel):
    """An organization-bound key for the REST API: shown once, stored as a hash."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.READ)
    key_hash = models.CharField(max_length=64)
    hint = models.CharField(max_length=12)  # the key's last characters, to tell keys apart
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "key_hash"], name="apikey_unique_hash")]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"


class IdempotencyKey(TenantModel):
    """An API call's `Idempotency-Key` (nps_platform.api.base.idempotent): held by the first
    call (no status yet: in progress), then its answer, repeated for a retry with the same
    request and refused (422) for a different one. Kept a day."""

    owner = models.CharField(max_length=40)  # "key-<api key id>" or "user-<user id>"
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)  # SHA-256 of method, path and the JSON body
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_data = models.JSONField(null=True, blank=True, encoder=JSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "owner", "key"],
                                               name="idempotencykey_unique_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotencykey_created")]

    def __str__(self) -> str:
        return f"{self.owner}: {self.key}"


# --- Single sign-on (organizations/sso/) ------------------------------------------------------

class EmailDomain(TenantModel):
    """An email domain the organization has shown it controls (a DNS TXT record with `token`).
    Its single sign-on applies to addresses at verified domains only; a domain is verified by
    one organization at a time (organizations.sso.services.email_domain_verify)."""

    domain = models.CharField(_("domain"), max_length=253)
    token = models.CharField(max_length=64)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [models.UniqueConstraint("organization", Lower("domain"), name="emaildomain_unique_domain")]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class SsoConnection(TenantModel):
    """The organization's identity provider: OpenID Connect (issuer, client id and secret) or
    SAML 2.0 (the IdP's metadata). allauth gets it as a SocialApp built on the fly
    (organizations.sso.adapter); `key` names it in the URLs the IdP is given, so it stays the
    same when the organization's slug changes."""

    class Kind(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    key = models.SlugField(max_length=80)
    kind = models.CharField(_("protocol"), max_length=8, choices=Kind.choices, default=Kind.OIDC)
    name = models.CharField(_("name shown to members"), max_length=100, blank=True)
    # OpenID Connect
    issuer = models.URLField(_("issuer URL"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret_encrypted = models.TextField(blank=True)  # Fernet (organizations.sso.secrets)
    # SAML 2.0
    metadata_url = models.URLField(_("IdP metadata URL"), max_length=500, blank=True)
    metadata_xml = models.TextField(_("IdP metadata XML"), blank=True)
    idp_entity_id = models.CharField(max_length=500, blank=True)
    default_role = models.CharField(_("role of new members"), max_length=16, choices=Role.choices,
                                    default=Role.VIEWER)
    is_enabled = models.BooleanField(_("enabled"), default=False)
    require_sso = models.BooleanField(_("require single sign-on for our domains"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="ssoconnection_one_per_organization"),
            models.UniqueConstraint(fields=["organization", "key"], name="ssoconnection_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name or self.key}"

    @property
    def provider_id(self) -> str:
        return f"{self.kind}-{self.key}"
