from django.urls import path

from tenure.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_index, name="index"),
    path("<int:pk>/", views.account_page, name="detail"),
]
