from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tenure.core"
    label = "core"
    verbose_name = "Tenure core"
