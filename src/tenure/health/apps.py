from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "tenure.health"
    label = "health"
    verbose_name = "Health, churn risk and lifetime value"
