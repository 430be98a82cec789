"""The drivers and the why view read like the dashboard (its filters, its scope, its anonymity
rules) and live beside it, under /o/<org_slug>/dashboard/."""

from django.urls import path

from . import views

urlpatterns = [
    path("drivers/", views.drivers, name="insights_drivers"),
    path("why/", views.why, name="insights_why"),
]
