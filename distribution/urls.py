"""Campaign pages, under /o/<org_slug>/campaigns/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_edit, name="campaign_new"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/action/", views.campaign_action, name="campaign_action"),
    path("<int:campaign_id>/events/", views.campaign_events, name="campaign_events"),
]

public_urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
