"""Public respondent pages: /r/<token>/."""

from django.urls import path

from . import public_views, views

urlpatterns = [
    path("r/<str:token>/", views.respond, name="respond"),
    path("r/<str:token>/thanks/", views.thanks, name="respond_thanks"),
    path("r/<str:token>/score/", views.respond_score, name="respond_score"),
    path("s/<str:token>/", public_views.public_respond, name="public_respond"),
    path("s/<str:token>/thanks/", public_views.public_thanks, name="public_thanks"),
]
