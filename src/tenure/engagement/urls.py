from django.urls import path

from tenure.engagement import views

app_name = "engagement"
urlpatterns = [
    path("accounts/<int:account_id>/log/", views.interaction_new, name="log"),
]
