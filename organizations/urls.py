"""Organization pages. Everything here is mounted under /o/<org_slug>/; object ids are named
`<model>_id` so the cross-tenant walk in tests can fill them in."""

from django.urls import path

from . import views
from .sso import views as sso_views

urlpatterns = [
    path("", views.overview, name="org_overview"),
    path("settings/", views.organization_settings, name="org_settings"),
    path("security/", views.organization_security, name="org_security"),
    path("settings/sso/", sso_views.sso_settings, name="sso_settings"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:membership_id>/", views.membership_edit, name="membership_edit"),
    path("members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("members/invitations/<int:memberinvitation_id>/revoke/", views.memberinvitation_revoke,
         name="memberinvitation_revoke"),
    path("members/invitations/<int:memberinvitation_id>/resend/", views.memberinvitation_resend,
         name="memberinvitation_resend"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_edit, name="department_new"),
    path("departments/<int:department_id>/", views.department_edit, name="department_edit"),
    path("departments/<int:department_id>/delete/", views.department_delete, name="department_delete"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/new/", views.employee_edit, name="employee_new"),
    path("employees/import/", views.employee_import, name="employee_import"),
    path("employees/<int:employee_id>/", views.employee_edit, name="employee_edit"),
    path("employees/<int:employee_id>/delete/", views.employee_delete, name="employee_delete"),
    path("audit/", views.audit_log, name="audit_log"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:apikey_id>/revoke/", views.apikey_revoke, name="apikey_revoke"),
]

public_urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("orgs/", views.organization_switch, name="organization_switch"),
    path("orgs/new/", views.organization_new, name="organization_new"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("brand/<int:organization_id>.css", views.brand_css, name="brand_css"),
]
