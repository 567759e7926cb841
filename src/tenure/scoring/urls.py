from django.urls import path

from tenure.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("decide/<int:account_id>/", views.decide, name="decide"),
]
