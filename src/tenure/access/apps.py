from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tenure.access"
    label = "access"
    verbose_name = "Roles and API tokens"
