from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from distribution.urls import public_urlpatterns as distribution_public
from organizations.accounts import PasswordResetView
from organizations.i18n import language_switch, profile
from organizations.security import session_end
from organizations.sso import views as sso_views
from organizations.sso.views import sso_start
from organizations.urls import public_urlpatterns

from . import views
from .storage import media

# The admin signs in through allauth too (its two-factor step and lockouts included); set before
# `admin.site.urls` below binds the login view.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # The respondents' links (/r/…, /s/…) first: the most requested, matched before the ~40
    # patterns of the staff's pages are tried (none of which they could shadow).
    path("", include("responses.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("dev/outbox/", views.outbox, name="dev_outbox"),
    path("dev/outbox/<str:message_id>/", views.outbox_message, name="dev_outbox_message"),
    path("dev/outbox/<str:message_id>/html/", views.outbox_message_html, name="dev_outbox_message_html"),
    # Signing in is django-allauth's; the short names (login, logout, password_reset) stay for
    # templates and redirects. allauth's e-mail management is not offered: the address is the
    # account's identity (invitations, SSO domains), changed by support, not self-service.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="account_reset_password"),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("accounts/email/", RedirectView.as_view(pattern_name="profile"), name="account_email"),
    path("accounts/signup/", RedirectView.as_view(pattern_name="signup"), name="account_signup"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/sessions/<int:usersession_id>/end/", session_end, name="usersession_end"),
    path("accounts/sso/", sso_start, name="sso_start"),  # "Sign in with your company account"
    # allauth's SAML views, with unreadable messages and an unreachable IdP answered by a page
    path("accounts/saml/<str:organization_slug>/acs/", sso_views.saml_acs),
    path("accounts/saml/<str:organization_slug>/acs/finish/", sso_views.saml_finish_acs),
    path("accounts/saml/<str:organization_slug>/sls/", sso_views.saml_sls),
    path("accounts/saml/<str:organization_slug>/metadata/", sso_views.saml_metadata),
    path("accounts/saml/<str:organization_slug>/login/", sso_views.saml_login),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    path("o/<slug:org_slug>/", include("organizations.urls")),
    path("o/<slug:org_slug>/surveys/", include("surveys.urls")),
    path("o/<slug:org_slug>/contacts/", include("contacts.urls")),
    path("o/<slug:org_slug>/campaigns/", include("distribution.urls")),
    path("o/<slug:org_slug>/responses/", include("responses.urls_org")),
    path("o/<slug:org_slug>/followup/", include("followups.urls")),
    path("o/<slug:org_slug>/dashboard/", include("dashboards.urls")),
    path("o/<slug:org_slug>/insights/", include("insights.urls")),
    path("o/<slug:org_slug>/dashboard/", include("insights.urls_dashboard")),
    path("anymail/", include("anymail.urls")),
    path("api/", include("nps_platform.api.urls")),
    *distribution_public,
    *public_urlpatterns,
]

# Uploaded media are organizations' logos, public by nature (they brand the survey pages and
# emails); a deployment with object storage or a proxy in front may serve them there instead.
urlpatterns += [path("media/<path:path>", media)]  # MEDIA_ROOT, or the shared bucket (nps_platform/storage.py)
handler404 = "nps_platform.views.not_found"
handler403 = "organizations.tenancy.permission_denied"
