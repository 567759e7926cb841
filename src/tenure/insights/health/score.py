"""Scoring accounts against the health scorecard, with each measure's contribution.

The score is a weighted mean in two levels: measures within their group, groups within the
scorecard. A measure whose input is missing is **left out and flagged**, never read as zero:
its group's other measures share the group's weight, and a group with no measure at all
hands its weight to the other groups. Each measure's contribution is its effective weight
times its 0–100 score, so the contributions of an account sum exactly to its score.

Below the scorecard's ``min_coverage`` an account still gets a score when its ``carrier``
group (revenue, by default) is known: the ledger alone then carries it, and
:func:`score_basis` says so next to the score.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tenure.insights.segmentation._inputs import require_accounts, require_columns

from .scorecard import SEVERITIES, Scorecard

__all__ = [
    "MISSING_REASONS",
    "health_inputs",
    "missing_flags",
    "score_basis",
    "score_health",
]

#: Why a measure's input may be missing, by input column (shown with the flag).
MISSING_REASONS: dict[str, str] = {
    "growth": "no revenue in the 12 months before the last 12",
    "recency_ratio": "no account in the portfolio has two order days: no usual interval yet",
    "probability_alive": (
        "no repeat purchase day: the buying-pattern model reads a single purchase as "
        "certainly still buying, which says nothing"
    ),
    "decision_makers_engaged": "no stakeholders recorded",
    "engaged_contacts": "no stakeholders recorded",
    "contacts_left": "no stakeholders recorded",
    "days_since_strategic": "no interactions logged",
    "cadence_ratio": "no interactions logged, or no cadence expected for the tier",
    "nps": "no survey answers that can be shown",
    "negative_recent": "no interactions logged",
    "open_issue_weight": "issues not known",
    "overdue_actions": "no account plan with actions",
}


def health_inputs(
    accounts: pl.DataFrame, scorecard: Scorecard, *, tier_col: str = "tier"
) -> pl.DataFrame:
    """Add the derived inputs the default measures read.

    * ``recency_ratio`` = ``days_since_last_order / median_interval_days``; an account with
      a single order day has no interval of its own, and the portfolio's usual interval
      (the median of the accounts' own intervals in ``accounts``) stands in, so a one-time
      buyer long silent scores low instead of being left out (null only when no account
      has two order days);
    * ``probability_alive`` is left out (null) for an account with a single order day
      whose value is 1: BG/NBD gives exactly 1 to every account without a repeat purchase,
      by construction, so that 1 is not evidence of anything (on a one-year retail log the
      one-time buyers, the likeliest to lapse, would otherwise score best);
    * ``cadence_ratio`` = ``strategic_recent`` (strategic interactions in the scorecard's
      ``recent_days``) over the tier's expected count; null when interactions are not known
      (``strategic_recent`` null) or the tier expects none;
    * ``open_issue_weight`` = open issues by severity (``open_low`` … ``open_critical``)
      times the scorecard's severity weights.

    Columns it needs but does not find are taken as unknown (null); other columns pass
    through unchanged.
    """
    needed = {
        "days_since_last_order": pl.Float64,
        "median_interval_days": pl.Float64,
        "probability_alive": pl.Float64,
        "strategic_recent": pl.Float64,
        tier_col: pl.String,
        **{f"open_{s}": pl.Float64 for s in SEVERITIES},
    }
    frame = accounts.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in needed.items()
        if name not in accounts.columns
    )
    expected = pl.col(tier_col).replace_strict(
        dict(scorecard.cadence), default=None, return_dtype=pl.Float64
    )
    interval = pl.col("median_interval_days").cast(pl.Float64)
    own = frame["median_interval_days"].cast(pl.Float64)
    usual = own.filter(own > 0).median()
    one_day = interval.is_null()
    since = pl.col("days_since_last_order").cast(pl.Float64)
    alive = pl.col("probability_alive").cast(pl.Float64)
    issues_known = pl.all_horizontal(pl.col(f"open_{s}").is_not_null() for s in SEVERITIES)
    return frame.with_columns(
        pl.when(interval > 0)
        .then(since / interval)
        .when(one_day & (usual is not None))
        .then(since / pl.lit(usual, dtype=pl.Float64))
        .alias("recency_ratio"),
        pl.when(one_day & (alive >= 1.0)).then(None).otherwise(alive).alias("probability_alive"),
        pl.when(expected > 0)
        .then(pl.col("strategic_recent").cast(pl.Float64) / expected)
        .alias("cadence_ratio"),
        pl.when(issues_known)
        .then(
            pl.sum_horizontal(
                pl.col(f"open_{s}").cast(pl.Float64) * scorecard.severity_weights[s]
                for s in SEVERITIES
            )
        )
        .alias("open_issue_weight"),
    )


def score_health(
    inputs: pl.DataFrame, scorecard: Scorecard, *, account_col: str = "account_id"
) -> pl.DataFrame:
    """Score every account 0–100 against ``scorecard``.

    Parameters
    ----------
    inputs
        One row per account with every measure's ``source`` column (numeric; null or NaN
        is "not known"). :func:`health_inputs` derives the ratio columns.
    scorecard
        Groups, measures, weights and bands.
    account_col
        Account key; unique, not null.

    Returns
    -------
    polars.DataFrame
        In input order: ``account_col``, ``health_score`` (null when less than the
        scorecard's ``min_coverage`` is known and the ``carrier`` group is not),
        ``coverage`` (share of the scorecard's nominal weight that was known, 0–1),
        ``missing`` (keys of the measures left out), then ``contribution_<key>`` (null when
        missing or unscored; they sum to ``health_score``) and ``score_<key>`` (0–100) per measure.

    Examples
    --------
    A two-measure scorecard, one input missing: the other carries the whole weight.

    >>> from tenure.insights.segmentation import Thresholds
    >>> from tenure.insights.health import Measure, MeasureGroup, Scorecard
    >>> card = Scorecard("t", (MeasureGroup("g", "G", 1, (
    ...     Measure("a", "A", 1, "a", Thresholds((1.0,), (0, 100))),
    ...     Measure("b", "B", 1, "b", Thresholds((1.0,), (0, 100))),
    ... )),))
    >>> frame = pl.DataFrame({"account_id": [1], "a": [2.0], "b": [None]})
    >>> score_health(frame, card).select("health_score", "coverage", "missing").row(0)
    (100.0, 0.5, ['b'])
    """
    context = "score_health"
    sources = [m.source for m in scorecard.measures]
    require_columns(inputs, [account_col, *sources], context=context)
    require_accounts(inputs, account_col, context=context)
    for source in dict.fromkeys(sources):
        if not inputs.schema[source].is_numeric() and inputs.schema[source] != pl.Null:
            raise ValueError(f"{context}: column {source!r} must be numeric")

    scores = inputs.select(
        account_col,
        *(
            m.thresholds.expression(pl.col(m.source).cast(pl.Float64).fill_nan(None)).alias(
                f"score_{m.key}"
            )
            for m in scorecard.measures
        ),
    )
    known = {m.key: pl.col(f"score_{m.key}").is_not_null() for m in scorecard.measures}

    def weight_if_known(key: str, weight: float) -> pl.Expr:
        return pl.when(known[key]).then(pl.lit(weight)).otherwise(pl.lit(0.0))

    group_available = {
        g.key: pl.sum_horizontal([weight_if_known(m.key, m.weight) for m in g.measures])
        for g in scorecard.groups
    }
    scores = scores.with_columns(
        [expr.alias(f"_inner_{key}") for key, expr in group_available.items()]
    )
    outer = pl.sum_horizontal(
        [
            pl.when(pl.col(f"_inner_{g.key}") > 0).then(pl.lit(g.weight)).otherwise(0.0)
            for g in scorecard.groups
        ]
    )
    shares = scorecard.nominal_shares()
    coverage = pl.sum_horizontal([weight_if_known(k, share) for k, share in shares.items()])
    scores = scores.with_columns(outer.alias("_outer"), coverage.alias("coverage"))
    enough = pl.col("coverage") >= scorecard.min_coverage - 1e-12
    if scorecard.carrier is not None:
        enough = enough | (pl.col(f"_inner_{scorecard.carrier}") > 0)
    scored = (pl.col("_outer") > 0) & enough
    contributions = []
    for group in scorecard.groups:
        inner = pl.col(f"_inner_{group.key}")
        for m in group.measures:
            effective = (group.weight / pl.col("_outer")) * (m.weight / inner)
            contributions.append(
                pl.when(known[m.key] & scored)
                .then(effective * pl.col(f"score_{m.key}"))
                .alias(f"contribution_{m.key}")
            )
    scores = scores.with_columns(contributions)
    missing = pl.concat_list(
        [pl.when(known[m.key].not_()).then(pl.lit(m.key)) for m in scorecard.measures]
    ).list.drop_nulls()
    keys = [m.key for m in scorecard.measures]
    return scores.select(
        account_col,
        pl.when(scored)
        .then(pl.sum_horizontal([f"contribution_{k}" for k in keys]))
        .alias("health_score"),
        "coverage",
        missing.alias("missing"),
        *(f"contribution_{k}" for k in keys),
        *(f"score_{k}" for k in keys),
    )


def missing_flags(missing: list[str], scorecard: Scorecard) -> list[dict[str, Any]]:
    """Flag an account's missing measures: measure key, label and the likely reason."""
    by_key = {m.key: m for m in scorecard.measures}
    return [
        {
            "measure": key,
            "label": by_key[key].label,
            "reason": MISSING_REASONS.get(by_key[key].source, "no data"),
        }
        for key in missing
        if key in by_key
    ]


def score_basis(
    health_score: float | None, coverage: float | None, scorecard: Scorecard
) -> str | None:
    """Say what a score below the coverage floor rests on, or ``None`` for a full one.

    >>> from tenure.insights.health import DEFAULT_HEALTH
    >>> score_basis(72.0, 0.35, DEFAULT_HEALTH)
    'based on revenue only: log interactions and map stakeholders to complete it'
    >>> score_basis(72.0, 0.8, DEFAULT_HEALTH) is None
    True
    """
    if health_score is None or coverage is None or scorecard.carrier is None:
        return None
    if coverage >= scorecard.min_coverage - 1e-12:
        return None
    label = next(g.label for g in scorecard.groups if g.key == scorecard.carrier)
    return f"based on {label.lower()} only: log interactions and map stakeholders to complete it"
