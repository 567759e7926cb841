"""Shared model bases: every Tenure model records when it was created and changed."""

from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base with ``created_at`` and ``updated_at`` (timezone-aware)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
