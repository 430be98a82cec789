"""Closed-loop pages, under /o/<org_slug>/followup/."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:case_id>/resurvey/", views.case_resurvey, name="case_resurvey"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhook_id>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
]
