"""The surveys' REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("surveys/", apis.SurveyListApi.as_view(), name="api_surveys"),
    path("surveys/<int:survey_id>/", apis.SurveyDetailApi.as_view(), name="api_survey"),
]
