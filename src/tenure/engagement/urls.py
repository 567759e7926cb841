from django.urls import path

from tenure.engagement import interaction_views, touchpoint_views, views

app_name = "engagement"
urlpatterns = [
    path("accounts/<int:account_id>/log/", views.interaction_new, name="log"),
]
urlpatterns += [
    path("cadence/", views.cadence_page, name="cadence"),
    path("accounts/<int:account_id>/cadence-check/", views.cadence_warnings, name="cadence_check"),
    path(
        "accounts/<int:account_id>/upcoming/",
        touchpoint_views.account_upcoming,
        name="account_upcoming",
    ),
    path(
        "accounts/<int:account_id>/touchpoints/new/",
        touchpoint_views.touchpoint_new,
        name="touchpoint_new",
    ),
    path("touchpoints/<int:pk>/", touchpoint_views.touchpoint_page, name="touchpoint"),
    path("touchpoints/<int:pk>/move/", touchpoint_views.touchpoint_move, name="touchpoint_move"),
    path("touchpoints/<int:pk>/done/", touchpoint_views.touchpoint_done, name="touchpoint_done"),
    path("touchpoints/<int:pk>/skip/", touchpoint_views.touchpoint_skipped, name="touchpoint_skip"),
    path(
        "interactions/<int:pk>/edit/", interaction_views.interaction_edit, name="interaction_edit"
    ),
    path(
        "interactions/<int:pk>/delete/",
        interaction_views.interaction_delete,
        name="interaction_delete",
    ),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/feed/", views.calendar_feed_link, name="calendar_feed_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
