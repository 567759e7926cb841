"""``{% follow_button account %}``: the "follow this account" toggle on the account page.

It renders a placeholder that htmx fills from ``/notifications/follow/<id>/``, so the
account page itself pays no query for whether the reader follows it.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("alerts/_follow.html")
def follow_button(account: Any) -> dict[str, Any]:
    return {"account_id": account.pk}
