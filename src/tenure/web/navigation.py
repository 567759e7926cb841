"""The main navigation: its groups, its links, and which one is the page being shown.

One list, read by ``base.html`` through the ``main_nav`` tag, so the header, the phone menu
and the tests agree on what the app offers. A link is *the current page*
(``aria-current="page"``) when the request is that very page; it is *the current section*
(``aria-current="true"``) when the page lives under it (an account's plans, reviews and
brief sit under "Accounts", a campaign under "Feedback").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from tenure.accounts.permissions import AnyUser


@dataclass(frozen=True)
class NavLink:
    """One entry: where it goes and which views count as being in it."""

    label: str
    view: str
    query: str = ""
    section: tuple[str, ...] = ()  # view names (or "namespace:" prefixes) under this link
    staff_only: bool = False


@dataclass(frozen=True)
class NavGroup:
    label: str
    links: tuple[NavLink, ...]


NAV: tuple[NavGroup, ...] = (
    NavGroup(
        "Work",
        (
            NavLink("My accounts", "home"),
            NavLink("Tasks", "alerts:tasks", section=("alerts:",)),
            NavLink("Calendar", "engagement:calendar", section=("engagement:calendar_feed_link",)),
            NavLink("Cadence", "engagement:cadence"),
        ),
    ),
    NavGroup(
        "Portfolio",
        (
            NavLink(
                "Accounts",
                "accounts:index",
                section=(
                    "accounts:detail",
                    "accounts:what_if",
                    "accounts:stakeholder_new",
                    "accounts:position_left",
                    "engagement:brief",
                    "engagement:log",
                    "engagement:account_upcoming",
                    "planning:",
                    "growth:potential",
                ),
            ),
            NavLink("Key accounts", "accounts:index", query="key=1"),
            NavLink("People", "accounts:contacts", section=("accounts:contact",)),
            NavLink("Portfolio", "scoring:portfolio", section=("scoring:",)),
            NavLink("Whitespace", "growth:whitespace", section=("growth:act",)),
            NavLink("Feedback", "feedback:figures", section=("feedback:",)),
        ),
    ),
    NavGroup(
        "Tools",
        (
            NavLink("Search", "search"),
            NavLink("API tokens", "access:tokens", section=("access:",)),
            NavLink("Admin", "admin:index", staff_only=True),
        ),
    ),
)


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str
    current: str  # "page", "true" (in its section) or "" (elsewhere)


@dataclass(frozen=True)
class ShownGroup:
    label: str
    slug: str
    links: tuple[ShownLink, ...]


def _current(link: NavLink, view_name: str, query: str) -> str:
    if view_name == link.view and query == link.query:
        return "page"
    if view_name == link.view and not link.query:
        return "true"  # the same list, filtered or paged
    if any(view_name == s or (s.endswith(":") and view_name.startswith(s)) for s in link.section):
        return "true"
    return ""


def nav_for(request: HttpRequest, user: AnyUser | None) -> tuple[ShownGroup, ...]:
    """The groups and links ``user`` sees, each marked against the page ``request`` shows.

    Only one link is ever current: the exact page wins over a section ("Key accounts" over
    "Accounts" for ``/accounts/?key=1``).
    """
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    key_filter = "key=1" if request.GET.get("key") == "1" else ""
    staff = bool(getattr(user, "is_staff", False))
    marks = {
        link: _current(link, view_name, key_filter if link.view == "accounts:index" else "")
        for group in NAV
        for link in group.links
    }
    exact = any(mark == "page" for mark in marks.values())
    groups = []
    for group in NAV:
        links = []
        for link in group.links:
            if link.staff_only and not staff:
                continue
            mark = marks[link]
            if exact and mark == "true":
                mark = ""
            url = reverse(link.view) + (f"?{link.query}" if link.query else "")
            links.append(ShownLink(link.label, url, mark))
        groups.append(ShownGroup(group.label, group.label.lower(), tuple(links)))
    return tuple(groups)
