"""The access pages: a user's own API tokens."""

from django.urls import path

from tenure.access import views

app_name = "access"
urlpatterns = [
    path("tokens/", views.token_index, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
