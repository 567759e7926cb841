from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tenure.planning"
    label = "planning"
    verbose_name = "Account plans, wins and issues"

    def ready(self) -> None:
        from tenure.planning import onboarding_checks  # noqa: F401  (registers its checks)
