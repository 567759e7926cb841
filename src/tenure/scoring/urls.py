from django.urls import path

from tenure.scoring import views

app_name = "scoring"
urlpatterns = [
    path("decide/<int:account_id>/", views.decide, name="decide"),
    path("decide/", views.decide_many, name="decide_many"),
]
