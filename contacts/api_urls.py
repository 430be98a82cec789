"""The contacts' REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("contacts/", apis.ContactListApi.as_view(), name="api_contacts"),
    path("contacts/bulk/", apis.ContactBulkApi.as_view(), name="api_contacts_bulk"),
    path("contacts/<int:contact_id>/", apis.ContactDetailApi.as_view(), name="api_contact"),
]
