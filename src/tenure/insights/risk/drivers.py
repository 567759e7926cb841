"""Plain words for the model's reasons: "no strategic contact for 94 days".

The model explains each prediction as per-feature contributions to its log-odds (LightGBM's
``pred_contrib``, exact tree SHAP values). The features that push risk *up* the most are the
account's drivers; :func:`describe` turns a feature and its value into a sentence a key
account manager can act on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["CONTEXT_FEATURES", "describe"]

#: Features that set the scene (size, age, rhythm) rather than say what went wrong: the
#: model uses them, but they are not named as an account's drivers.
CONTEXT_FEATURES = frozenset(
    {"revenue_t12m_log", "customer_days", "orders", "median_interval_days"}
)


def _days(value: float) -> str:
    days = round(value)
    return "1 day" if days == 1 else f"{days} days"


def _count(value: float, one: str, many: str) -> str:
    n = round(value)
    return f"{n} {one if n == 1 else many}"


def _change(value: float, what: str, reference: str) -> str:
    percent = round(abs(value) * 100)
    if percent == 0:
        return f"{what} flat on {reference}"
    return f"{what} {'down' if value < 0 else 'up'} {percent} % on {reference}"


def _strategic_90d(v: float) -> str:
    if v < 0.5:
        return "no strategic interaction in the last 90 days"
    return f"only {_count(v, 'strategic interaction', 'strategic interactions')} in 90 days"


def _engaged(v: float) -> str:
    if v < 0.5:
        return "no contact engaged in the last 180 days"
    if v < 1.5:
        return "only one contact engaged in the last 180 days"
    return f"{_count(v, 'contact', 'contacts')} engaged in the last 180 days"


def _decision_makers(v: float) -> str:
    if v < 0.5:
        return "no decision maker engaged in the last 180 days"
    if v < 1.5:
        return "only one decision maker engaged"
    return f"{_count(v, 'decision maker', 'decision makers')} engaged"


def _active_decision_makers(v: float) -> str:
    if v < 0.5:
        return "no decision maker on record at the account"
    if v < 1.5:
        return "only one decision maker on record"
    return f"{_count(v, 'decision maker', 'decision makers')} on record"


def _threads(v: float) -> str:
    if v < 1.5:
        return "single-threaded: the relationship rests on one person-to-person link"
    return f"{_count(v, 'thread', 'threads')} between our team and theirs"


_TEXTS: dict[str, Callable[[float], str]] = {
    "days_since_last_order": lambda v: f"no order for {_days(v)}",
    "recency_ratio": lambda v: f"silent for {v:.1f}× the usual time between orders",
    "median_interval_days": lambda v: f"orders only every {_days(v)} or so",
    "orders": lambda v: f"{_count(v, 'order', 'orders')} in its whole history",
    "customer_days": lambda v: (
        f"a customer for {round(v / 30.44)} months"
        if v < 730
        else f"a customer for {v / 365.25:.0f} years"
    ),
    "revenue_t12m_log": lambda v: f"trailing 12-month revenue of {10**v:,.0f}",
    "growth": lambda v: _change(v, "revenue", "last year"),
    "product_breadth": lambda v: f"buys {_count(v, 'product category', 'product categories')}",
    "returns_share": lambda v: f"returns at {v * 100:.0f} % of sales",
    "recent_quarter_vs_last_year": lambda v: _change(
        v, "last 90 days' revenue", "the same period last year"
    ),
    "recent_quarter_share": lambda v: (
        f"last 90 days' revenue at {v * 100:.0f} % of an average quarter"
    ),
    "probability_alive": lambda v: (
        f"buying pattern gives a {v * 100:.0f} % chance it is still an active buyer"
    ),
    "days_since_strategic": lambda v: f"no strategic contact for {_days(v)}",
    "strategic_90d": _strategic_90d,
    "interactions_90d": lambda v: (
        "no interaction at all in the last 90 days"
        if v < 0.5
        else f"only {_count(v, 'interaction', 'interactions')} in the last 90 days"
    ),
    "negative_90d": lambda v: (
        f"{_count(v, 'negative interaction', 'negative interactions')} in the last 90 days"
    ),
    "engaged_contacts": _engaged,
    "decision_makers_engaged": _decision_makers,
    "threads": _threads,
    "active_decision_makers": _active_decision_makers,
    "contacts_left": lambda v: f"{_count(v, 'contact', 'contacts')} left in the last 180 days",
    "decision_makers_left": lambda v: (
        f"{_count(v, 'decision maker', 'decision makers')} left in the last 180 days"
    ),
    "open_issues": lambda v: f"{_count(v, 'issue', 'issues')} open",
    "open_severe_issues": lambda v: (
        f"{_count(v, 'high or critical issue', 'high or critical issues')} open"
    ),
    "oldest_open_issue_days": lambda v: f"an issue open for {_days(v)}",
    "issues_90d": lambda v: f"{_count(v, 'issue', 'issues')} logged in the last 90 days",
    "overdue_actions": lambda v: f"{_count(v, 'plan action', 'plan actions')} overdue",
}

_UNKNOWN: dict[str, str] = {
    "days_since_strategic": "no strategic interaction ever logged",
    "probability_alive": "too little order history to judge its buying pattern",
    "growth": "no revenue in the year before to compare with",
    "median_interval_days": "a single order day so far: no usual rhythm yet",
    "recency_ratio": "a single order day so far: no usual rhythm yet",
    "overdue_actions": "no account plan with actions",
}


def describe(feature: str, value: float | None) -> str:
    """One sentence about a feature's value, for the account page.

    Parameters
    ----------
    feature
        A name from :data:`tenure.insights.risk.features.RISK_FEATURES`.
    value
        Its value for the account; ``None`` or NaN when unknown.

    Examples
    --------
    >>> describe("days_since_strategic", 94)
    'no strategic contact for 94 days'
    >>> describe("decision_makers_engaged", 1)
    'only one decision maker engaged'
    >>> describe("growth", -0.38)
    'revenue down 38 % on last year'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _UNKNOWN.get(feature, f"{feature.replace('_', ' ')} not known")
    text = _TEXTS.get(feature)
    if text is None:
        return f"{feature.replace('_', ' ')}: {value:g}"
    return text(float(value))
