"""Comment insight pages. The taxonomy editor, under /o/<org_slug>/insights/; the drivers and the why
view read like the dashboard and live beside it (`urls_dashboard`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("themes/", views.themes, name="insights_themes"),
    path("themes/<int:theme_id>/", views.theme_edit, name="insights_theme_edit"),
    path("themes/<int:theme_id>/merge/", views.theme_merge, name="insights_theme_merge"),
    path("suggestions/<int:themesuggestion_id>/accept/", views.suggestion_accept, name="insights_suggestion_accept"),
    path("suggestions/<int:themesuggestion_id>/dismiss/", views.suggestion_dismiss,
         name="insights_suggestion_dismiss"),
]
