"""The dashboard's REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("stats/summary/", apis.StatsSummaryApi.as_view(), name="api_stats_summary"),
    path("stats/breakdown/", apis.StatsBreakdownApi.as_view(), name="api_stats_breakdown"),
    path("stats/trend/", apis.StatsTrendApi.as_view(), name="api_stats_trend"),
]
