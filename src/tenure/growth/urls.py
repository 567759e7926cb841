from django.urls import path

from tenure.growth import views

app_name = "growth"
urlpatterns = [
    path("whitespace/", views.whitespace, name="whitespace"),
    path("opportunities/<int:pk>/", views.opportunity_act, name="act"),
    path("accounts/<int:pk>/potential/", views.potential_set, name="potential"),
]
