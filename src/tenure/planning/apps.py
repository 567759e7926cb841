from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tenure.planning"
    label = "planning"
    verbose_name = "Account plans, wins and issues"
