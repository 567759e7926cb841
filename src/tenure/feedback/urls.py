"""Public survey pages (no login) and the survey figures and campaigns for staff."""

from django.urls import path

from tenure.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("answers.csv", views.answers_csv, name="answers_csv"),
    path("s/<str:token>/", views.survey_answer, name="answer"),
    path("s/<str:token>/thanks/", views.survey_thanks, name="thanks"),
    path("campaigns/", views.campaign_index, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:pk>/send/", views.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
]
