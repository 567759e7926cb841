from django.urls import path

from tenure.engagement import views

app_name = "engagement"
urlpatterns = [
    path("accounts/<int:account_id>/log/", views.interaction_new, name="log"),
]
urlpatterns += [
    path("cadence/", views.cadence_page, name="cadence"),
    path("accounts/<int:account_id>/cadence-check/", views.cadence_warnings, name="cadence_check"),
    path("accounts/<int:account_id>/upcoming/", views.account_upcoming, name="account_upcoming"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/feed/", views.calendar_feed_link, name="calendar_feed_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
