from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "tenure.scoring"
    label = "scoring"
    verbose_name = "Scoring runs and snapshots"
