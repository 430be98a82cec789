"""The closed loop's REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="api_cases"),
    path("cases/<int:case_id>/", apis.CaseDetailApi.as_view(), name="api_case"),
    path("webhooks/", apis.WebhookListApi.as_view(), name="api_webhooks"),
    path("webhooks/<int:webhook_id>/", apis.WebhookDetailApi.as_view(), name="api_webhook"),
    path("webhooks/<int:webhook_id>/test/", apis.WebhookTestApi.as_view(), name="api_webhook_test"),
]
