"""Template filters for engagement pages."""

from __future__ import annotations

from django import template

from tenure.accounts.permissions import AnyUser
from tenure.engagement.models import Interaction
from tenure.engagement.permissions import can_change_interaction

register = template.Library()


@register.filter
def changeable_by(interaction: Interaction, user: AnyUser | None) -> bool:
    """``{% if i|changeable_by:request.user %}``: may the user edit or delete it?"""
    return can_change_interaction(user, interaction)
