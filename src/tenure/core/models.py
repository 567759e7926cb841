"""Shared model bases: every Tenure model records when it was created and changed."""

from typing import TypeVar

from django.db import models

SettingsRow = TypeVar("SettingsRow", bound=models.Model)


class TimeStampedModel(models.Model):
    """Abstract base with ``created_at`` and ``updated_at`` (timezone-aware)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


def settings_in_force(model: type[SettingsRow]) -> SettingsRow:
    """The newest row of a settings model (its ordering puts it first), saved with the
    defaults on first use so a run can cite the settings it used. Older rows are history."""
    current = model._default_manager.first()
    return current if current is not None else model._default_manager.create()
