from django.urls import path

from tenure.accounts import contact_views

app_name = "accounts"
urlpatterns = [
    path("<int:pk>/stakeholders/new/", contact_views.stakeholder_new, name="stakeholder_new"),
    path("positions/<int:pk>/left/", contact_views.position_left, name="position_left"),
    path("contacts/", contact_views.contact_index, name="contacts"),
    path("contacts/<int:pk>/", contact_views.contact_page, name="contact"),
    path(
        "contacts/<int:pk>/export/",
        contact_views.contact_export_download,
        name="contact_export",
    ),
    path("contacts/<int:pk>/erase/", contact_views.contact_erase_page, name="contact_erase"),
]
