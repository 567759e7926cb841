"""Choices for share-of-wallet estimates and growth opportunities."""

from django.db import models


class OpportunityStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    PLANNED = "planned", "In the plan"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
