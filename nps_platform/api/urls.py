from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import SwaggerView

urlpatterns = [
    path("v1/contacts/", views.ContactListView.as_view(), name="api_contacts"),
    path("v1/contacts/bulk/", views.ContactBulkView.as_view(), name="api_contacts_bulk"),
    path("v1/contacts/<int:contact_id>/", views.ContactDetailView.as_view(), name="api_contact"),
    path("v1/contacts/<int:contact_id>/personal-data/", views.ContactPersonalDataView.as_view(),
         name="api_contact_personal_data"),
    path("v1/surveys/", views.SurveyListView.as_view(), name="api_surveys"),
    path("v1/surveys/<int:survey_id>/", views.SurveyDetailView.as_view(), name="api_survey"),
    path("v1/responses/", views.ResponseListView.as_view(), name="api_responses"),
    path("v1/responses/<int:response_id>/", views.ResponseDetailView.as_view(), name="api_response"),
    path("v1/stats/summary/", views.StatsSummaryView.as_view(), name="api_stats_summary"),
    path("v1/stats/breakdown/", views.StatsBreakdownView.as_view(), name="api_stats_breakdown"),
    path("v1/stats/trend/", views.StatsTrendView.as_view(), name="api_stats_trend"),
    path("v1/triggers/", views.TriggerView.as_view(), name="api_trigger"),
    path("v1/campaigns/", views.CampaignListView.as_view(), name="api_campaigns"),
    path("v1/cases/", views.CaseListView.as_view(), name="api_cases"),
    path("v1/cases/<int:case_id>/", views.CaseDetailView.as_view(), name="api_case"),
    path("v1/webhooks/", views.WebhookListView.as_view(), name="api_webhooks"),
    path("v1/webhooks/<int:webhook_id>/", views.WebhookDetailView.as_view(), name="api_webhook"),
    path("v1/webhooks/<int:webhook_id>/test/", views.WebhookTestView.as_view(), name="api_webhook_test"),
    path("v1/departments/", views.DepartmentListView.as_view(), name="api_departments"),
    path("v1/employees/", views.EmployeeListView.as_view(), name="api_employees"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
