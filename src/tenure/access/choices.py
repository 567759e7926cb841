"""Choices for roles (see docs/roles.md for what each may do)."""

from django.db import models


class Role(models.TextChoices):
    """A user's role across Tenure; object permissions on accounts follow from it."""

    ADMIN = "admin", "Administrator"
    DIRECTOR = "director", "Director"
    KEY_ACCOUNT_MANAGER = "kam", "Key account manager"
    ANALYST = "analyst", "Analyst"


class SavedViewPage(models.TextChoices):
    """The list pages a person can save views (filters and sort) of."""

    ACCOUNTS = "accounts", "Accounts"
    MY_ACCOUNTS = "my_accounts", "My accounts"
    PEOPLE = "people", "People"
