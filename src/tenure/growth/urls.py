from django.urls import path

from tenure.growth import views

urlpatterns = [
    path("whitespace/", views.whitespace, name="whitespace"),
    path("opportunities/<int:pk>/", views.opportunity_act, name="act"),
]
