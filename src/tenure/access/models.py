"""Each user's role, and the personal API tokens scripts authenticate with.

A token's secret exists only in the response that created it; the database keeps its
SHA-256 (a 256-bit random secret needs no salt or slow hash) and a short prefix so the
owner can tell their tokens apart.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from tenure.access.choices import Role, SavedViewPage
from tenure.core.models import TimeStampedModel


class Profile(TimeStampedModel):
    """A user's role. Users without one get a role from their Django flags (``role_of``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_profile"
    )
    role = models.CharField(max_length=8, choices=Role.choices)

    class Meta:
        ordering = ["user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="profile_role_valid",
                violation_error_message="unknown role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class ApiToken(TimeStampedModel):
    """A personal API token: ``Authorization: Bearer <secret>`` acts as its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'ERP sync'.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The secret's first characters, for display."
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("token_hash"), 64),
                name="api_token_hash_is_sha256_hex",
                violation_error_message="a token is stored as its SHA-256 in hex",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="api_token_has_name",
                violation_error_message="give the token a name",
            ),
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_user",
                violation_error_message="you already have a token with this name",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: dt.datetime) -> bool:
        """Not revoked and not past its expiry."""
        return self.revoked_at is None and now < self.expires_at

    def status(self, now: dt.datetime) -> str:
        """'active', 'expired' or 'revoked', for display."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"


class SavedView(TimeStampedModel):
    """A person's saved filters and sort on one list page; at most one per page is their
    default, opened when the page is visited without any query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    page = models.CharField(max_length=16, choices=SavedViewPage.choices)
    name = models.CharField(max_length=60)
    query = models.CharField(
        max_length=300, help_text="The filters and sort, as the page's query string."
    )
    is_default = models.BooleanField(
        default=False, help_text="Opened when the page is visited without filters."
    )

    class Meta:
        ordering = ["user_id", "page", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "name"],
                name="saved_view_name_unique_per_page",
                violation_error_message="you already have a view with this name on this page",
            ),
            models.UniqueConstraint(
                fields=["user", "page"],
                condition=Q(is_default=True),
                name="saved_view_one_default_per_page",
                violation_error_message="only one view of a page is the default",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="saved_view_has_name",
                violation_error_message="name the view",
            ),
            models.CheckConstraint(
                condition=Q(page__in=SavedViewPage.values),
                name="saved_view_page_valid",
                violation_error_message="unknown page",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_page_display()} – {self.name}"
