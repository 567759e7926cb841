from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "tenure.growth"
    label = "growth"
    verbose_name = "Share of wallet and growth opportunities"
