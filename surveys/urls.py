"""Survey builder pages, under /o/<org_slug>/surveys/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_new, name="survey_new"),
    path("<int:survey_id>/", views.survey_builder, name="survey_builder"),
    path("<int:survey_id>/settings/", views.survey_settings, name="survey_settings"),
    path("<int:survey_id>/texts/", views.survey_texts, name="survey_texts"),
    path("<int:survey_id>/publish/", views.survey_publish, name="survey_publish"),
    path("<int:survey_id>/status/", views.survey_status, name="survey_status"),
    path("<int:survey_id>/duplicate/", views.survey_duplicate, name="survey_duplicate"),
    path("<int:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("<int:survey_id>/preview/frame/", views.survey_preview_frame, name="survey_preview_frame"),
    path("<int:survey_id>/questions/add/", views.question_add, name="question_add"),
    path("<int:survey_id>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path("<int:survey_id>/questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("<int:survey_id>/questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("<int:survey_id>/questions/<int:question_id>/choices/add/", views.choice_add, name="choice_add"),
    path("<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/delete/", views.choice_delete,
         name="choice_delete"),
    path("<int:survey_id>/links/add/", views.review_link_add, name="review_link_add"),
    path("<int:survey_id>/public-link/", views.survey_public_link, name="survey_public_link"),
    path("<int:survey_id>/qr.png", views.survey_qr, {"fmt": "png"}, name="survey_qr_png"),
    path("<int:survey_id>/qr.svg", views.survey_qr, {"fmt": "svg"}, name="survey_qr_svg"),
    path("<int:survey_id>/links/<int:reviewlink_id>/delete/", views.review_link_delete, name="review_link_delete"),
]
