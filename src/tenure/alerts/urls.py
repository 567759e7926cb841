from django.urls import path

from tenure.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.tasks_page, name="tasks"),
    path("<int:pk>/close/", views.task_close, name="close"),
    path("<int:pk>/reopen/", views.task_reopen, name="reopen"),
    path("selected/", views.tasks_bulk, name="bulk"),
    path("views/", views.view_save, name="view_save"),
    path("views/<int:pk>/delete/", views.view_delete, name="view_delete"),
]
