"""Dashboard pages, under /o/<org_slug>/dashboard/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("comments/", views.comments, name="comments"),
    path("subscribe/", views.report_subscribe, name="report_subscribe"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
]
