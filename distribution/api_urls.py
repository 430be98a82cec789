"""Distribution's REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="api_campaigns"),
    path("triggers/", apis.TriggerApi.as_view(), name="api_trigger"),
]
