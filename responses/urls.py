"""Public respondent pages: /r/<token>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("r/<str:token>/", views.respond, name="respond"),
    path("r/<str:token>/thanks/", views.thanks, name="respond_thanks"),
]
