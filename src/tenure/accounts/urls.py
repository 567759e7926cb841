from django.urls import path

from tenure.accounts import contact_views, people_views, profile_views, team_views

app_name = "accounts"
urlpatterns = [
    path("<int:pk>/people/", people_views.people, name="people"),
    path("<int:pk>/stakeholders/new/", people_views.stakeholder_new, name="stakeholder_new"),
    path("positions/<int:pk>/edit/", people_views.position_edit, name="position_edit"),
    path("positions/<int:pk>/left/", people_views.position_left, name="position_left"),
    path("<int:pk>/team/", team_views.team, name="team"),
    path("<int:pk>/team/add/", team_views.team_add, name="team_add"),
    path("<int:pk>/team/handover/", team_views.team_handover_page, name="team_handover"),
    path("team/<int:pk>/remove/", team_views.team_remove, name="team_remove"),
    path("<int:pk>/profile/", profile_views.profile, name="profile"),
    path("<int:pk>/profile/edit/", profile_views.profile_edit, name="profile_edit"),
    path("contacts/", contact_views.contact_index, name="contacts"),
    path("contacts/<int:pk>/", contact_views.contact_page, name="contact"),
    path(
        "contacts/<int:pk>/export/",
        contact_views.contact_export_download,
        name="contact_export",
    ),
    path("contacts/<int:pk>/erase/", contact_views.contact_erase_page, name="contact_erase"),
]
