"""Net Promoter Score, satisfaction means and response rates: the arithmetic, nothing else.

Everything here takes plain numbers and returns frozen dataclasses; it never imports Django,
so the figures can be recomputed in a notebook from an export.

* **NPS** = % promoters (9–10) − % detractors (0–6), on the 0–10 "how likely are you to
  recommend us" scale; passives (7–8) count in the sample size only. It runs from −100 to
  +100.
* **Confidence interval.** A respondent contributes +1 (promoter), 0 (passive) or −1
  (detractor); the NPS is 100 × the mean of these. With promoter and detractor shares
  ``p`` and ``d`` among ``n`` answers, the multinomial variance of ``p̂ − d̂`` is

      Var(p̂ − d̂) = (p + d − (p − d)²) / n

  (``Var p̂ + Var d̂ − 2 Cov(p̂, d̂)`` with ``Cov = −pd/n``). The **Wald** interval is
  ``(p̂ − d̂) ± z·√Var``. It collapses to a single point when every answer falls in one
  group and covers poorly in small samples, which is the usual case for one account. The
  default is therefore the **adjusted Wald** interval that Rocks (2016) found to perform
  best: add 3 pseudo-answers (¾ promoter, ¾ detractor, 1½ passive), i.e. use
  ``p̃ = (P + ¾)/(n + 3)``, ``d̃ = (D + ¾)/(n + 3)`` and ``n + 3`` in the formula above.
  The point estimate reported stays the plain NPS; only the interval is adjusted. Bounds
  are clipped to [−100, 100].

  Reference: B. Rocks, "Interval Estimation for the 'Net Promoter Score'",
  *The American Statistician* 70(4), 2016, pp. 365–372 (doi:10.1080/00031305.2016.1158124).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

__all__ = [
    "NPS_MAX",
    "NPS_MIN",
    "IntervalMethod",
    "ItemSummary",
    "NpsResult",
    "ResponseRate",
    "classify",
    "item_summary",
    "nps",
    "response_rate",
]

#: The NPS answer scale.
NPS_MIN, NPS_MAX = 0, 10
#: Scores at or above this are promoters; at or below ``DETRACTOR_MAX`` detractors.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6

IntervalMethod = Literal["adjusted_wald", "wald"]


@dataclass(frozen=True)
class NpsResult:
    """An NPS with its sample and confidence interval (all on the −100…100 scale).

    ``score``, ``low`` and ``high`` are ``None`` when there are no answers.
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    low: float | None
    high: float | None
    confidence: float
    method: IntervalMethod

    @property
    def margin(self) -> float | None:
        """Half the interval's width, for "± x" display."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class ItemSummary:
    """The mean of one rating item (e.g. 1–5 satisfaction) and how many answered it."""

    n: int
    mean: float | None


@dataclass(frozen=True)
class ResponseRate:
    """Answers over invitations."""

    invited: int
    answered: int

    @property
    def rate(self) -> float | None:
        """Share of invitations answered, ``None`` when nobody was invited."""
        return self.answered / self.invited if self.invited else None


def classify(score: int) -> Literal["promoter", "passive", "detractor"]:
    """Return the NPS group of one 0–10 answer; ``ValueError`` outside the scale."""
    _check_score(score)
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


def _check_score(score: int) -> None:
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValueError(f"an NPS answer must be a whole number, got {score!r}")
    if not NPS_MIN <= score <= NPS_MAX:
        raise ValueError(f"an NPS answer must lie between 0 and 10, got {score!r}")


def nps(
    scores: Iterable[int],
    *,
    confidence: float = 0.95,
    method: IntervalMethod = "adjusted_wald",
) -> NpsResult:
    """Compute the Net Promoter Score of 0–10 answers, with a confidence interval.

    Parameters
    ----------
    scores : iterable of int
        Answers on the 0–10 scale; anything else raises ``ValueError``.
    confidence : float
        Two-sided confidence level, ``0 < confidence < 1`` (default 0.95).
    method : {"adjusted_wald", "wald"}
        Interval method (see the module docstring): the adjusted Wald of Rocks (2016) by
        default, or the plain Wald interval.

    Returns
    -------
    NpsResult
        Counts per group, the score, and the interval bounds, all on the −100…100 scale.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must satisfy 0 < confidence < 1, got {confidence!r}")
    if method not in ("adjusted_wald", "wald"):
        raise ValueError(f"unknown interval method {method!r}")
    promoters = passives = detractors = 0
    for score in scores:
        group = classify(score)
        if group == "promoter":
            promoters += 1
        elif group == "detractor":
            detractors += 1
        else:
            passives += 1
    n = promoters + passives + detractors
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, None, confidence, method)
    score_value = 100.0 * (promoters - detractors) / n
    pseudo, pseudo_each = (3.0, 0.75) if method == "adjusted_wald" else (0.0, 0.0)
    size = n + pseudo
    p = (promoters + pseudo_each) / size
    d = (detractors + pseudo_each) / size
    variance = max(p + d - (p - d) ** 2, 0.0) / size
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * math.sqrt(variance)
    centre = p - d
    return NpsResult(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        score=score_value,
        low=max(-100.0, 100.0 * (centre - half)),
        high=min(100.0, 100.0 * (centre + half)),
        confidence=confidence,
        method=method,
    )


def item_summary(scores: Iterable[int | float]) -> ItemSummary:
    """Mean and count of one rating item's answers (non-finite values are refused)."""
    values = [float(s) for s in scores]
    if any(not math.isfinite(v) for v in values):
        raise ValueError("rating answers must be finite numbers")
    if not values:
        return ItemSummary(0, None)
    return ItemSummary(len(values), math.fsum(values) / len(values))


def response_rate(*, invited: int, answered: int) -> ResponseRate:
    """Answers over invitations; ``answered`` cannot exceed ``invited``."""
    if invited < 0 or answered < 0:
        raise ValueError("counts cannot be negative")
    if answered > invited:
        raise ValueError(f"{answered} answers cannot come from {invited} invitations")
    return ResponseRate(invited=invited, answered=answered)
