from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tenure.core"
    label = "core"
    verbose_name = "Tenure core"

    def ready(self) -> None:
        # Registers Tenure's configuration checks with `tenure check`.
        from tenure.core import checks  # noqa: F401
