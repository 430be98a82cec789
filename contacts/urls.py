"""Contact pages, under /o/<org_slug>/contacts/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("export.csv", views.contact_export, name="contact_export"),
    path("new/", views.contact_edit, name="contact_new"),
    path("<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path("<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
    path("import/", views.contact_import, name="contact_import"),
    path("import/<int:contactimport_id>/", views.contact_import_detail, name="contact_import_detail"),
    path("suppressions/", views.suppression_list, name="suppression_list"),
    path("suppressions/<int:suppression_id>/delete/", views.suppression_delete, name="suppression_delete"),
]
