from django.urls import path

from tenure.scoring import qualification_views, views

app_name = "scoring"
urlpatterns = [
    path("decide/<int:account_id>/", views.decide, name="decide"),
    path("decide/", views.decide_many, name="decide_many"),
    path(
        "qualification/<int:account_id>/",
        qualification_views.qualification,
        name="qualification",
    ),
    path(
        "qualification/<int:account_id>/rate/",
        qualification_views.qualification_rate,
        name="qualification_rate",
    ),
]
