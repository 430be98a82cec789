"""Response pages for members, under /o/<org_slug>/responses/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.response_list, name="response_list"),
    path("personal-data/<int:contact_id>/", views.contact_personal_data, name="contact_personal_data"),
    path("personal-data/<int:contact_id>/erase/", views.contact_erase_view, name="contact_erase"),
]
