"""Sort open answers into themes by keywords: transparent, dependency-free, easy to tune.

A theme matches when one of its keywords starts a word of the answer ("deliver" matches
"delivery" and "delivered"), case-insensitively; a keyword ending in ``$`` must be the
whole word ("late$" matches "late" but not "later"). An answer can fall into several themes;
one that matches none is "Other". Keywords are English; extend ``THEMES`` for other
languages or your own vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

OTHER = "Other"

#: Theme → word beginnings that signal it. Order is the order themes are shown in.
THEMES: Mapping[str, tuple[str, ...]] = {
    "Delivery and logistics": (
        "deliver",
        "late$",
        "delay",
        "ship",
        "logistic",
        "lead time",
        "on time",
        "stock",
        "transport",
        "pallet",
    ),
    "Price and invoicing": (
        "price",
        "pricing",
        "cost",
        "expensive",
        "cheap",
        "invoice",
        "billing",
        "discount",
        "payment",
    ),
    "Product quality": ("quality", "defect", "broken", "damage", "faulty", "reliab", "durab"),
    "Service and support": (
        "support",
        "service",
        "help",
        "respon",
        "complain",
        "ticket",
        "hotline",
        "resolv",
    ),
    "Communication": ("communicat", "inform", "updat", "news", "feedback", "transparen", "listen"),
    "Account manager and relationship": (
        "account manager",
        "manager",
        "relationship",
        "visit",
        "meeting",
        "contact person",
        "partner",
        "trust",
    ),
    "Range and innovation": ("range", "assortment", "product", "innovat", "idea"),
    "Ordering and systems": ("order", "portal", "website", "online", "system", "edi$", "app$"),
}


def _pattern(keywords: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(k[:-1]) + r"\b" if k.endswith("$") else re.escape(k) for k in keywords
    )
    return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)


_PATTERNS = {theme: _pattern(words) for theme, words in THEMES.items()}


def themes_of(text: str) -> list[str]:
    """The themes an open answer touches, in ``THEMES`` order; ``["Other"]`` if none."""
    found = [theme for theme, pattern in _PATTERNS.items() if pattern.search(text)]
    return found or [OTHER]


def theme_names() -> list[str]:
    """Every theme in display order, "Other" last."""
    return [*THEMES, OTHER]
