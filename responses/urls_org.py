"""Response pages for members, under /o/<org_slug>/responses/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.response_list, name="response_list"),
]
