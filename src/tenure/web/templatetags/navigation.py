"""``{% main_nav %}``: the grouped main navigation with the current page marked."""

from __future__ import annotations

from typing import Any

from django import template

from tenure.web.navigation import nav_for

register = template.Library()


@register.inclusion_tag("web/nav.html", takes_context=True)
def main_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {"groups": nav_for(request, getattr(request, "user", None))}
