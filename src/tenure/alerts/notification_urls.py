from django.urls import path

from tenure.alerts import notification_views as views

app_name = "notifications"
urlpatterns = [
    path("", views.notifications_page, name="list"),
    path("count/", views.notifications_count, name="count"),
    path("read/", views.notifications_read, name="read"),
    path("settings/", views.notification_settings_page, name="settings"),
    path("follow/<int:account_id>/", views.follow, name="follow"),
]
