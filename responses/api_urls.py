"""The responses' REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("contacts/<int:contact_id>/personal-data/", apis.ContactPersonalDataApi.as_view(),
         name="api_contact_personal_data"),
    path("responses/", apis.ResponseListApi.as_view(), name="api_responses"),
    path("responses/<int:response_id>/", apis.ResponseDetailApi.as_view(), name="api_response"),
]
