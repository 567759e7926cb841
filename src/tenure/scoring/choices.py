"""Choices for scoring runs and key-account list decisions."""

from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class KeyListAction(models.TextChoices):
    PROMOTE = "promote", "Promote to key account"
    DEMOTE = "demote", "Remove from key accounts"


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class QualitativeCriterion(models.TextChoices):
    """The qualification criteria people score 1–5 (the default scorecard's keys)."""

    STRATEGIC_VALUE = "strategic_value", "Strategic value"
    MARKET_INFLUENCE = "market_influence", "Market influence"
    MARKET_POSITION = "market_position", "Market position"
    GROWTH_POTENTIAL = "growth_potential", "Growth potential"
    GEOGRAPHY_FIT = "geography_fit", "Geography fit"
