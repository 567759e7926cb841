from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "tenure.alerts"
    label = "alerts"
    verbose_name = "Alerts and tasks"

    def ready(self) -> None:
        from tenure.alerts import (
            follow_ups,  # noqa: F401  (connects the signal handlers)
            notifications,  # noqa: F401  (connects the signal handler)
            onboarding_checks,
        )

        onboarding_checks.register()
