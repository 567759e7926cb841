"""What counts as churn, and who churned: a configurable definition applied to ledger features.

An account **churns** when it stops buying — no order for ``interval_multiple`` times its
usual interval between orders (never less than ``min_silence_days``) — or when its
trailing-12-month revenue falls by more than ``revenue_drop`` on the 12 months before.

Labels for training and backtests come from two feature frames of the same accounts: one as
of the cut-off (what was known) and one as of the cut-off plus the horizon (what happened).
An account is *eligible* at a cut-off when it had bought before it and had not churned yet;
its label says whether it churned by the end of the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

__all__ = ["DEFAULT_CHURN", "ChurnDefinition", "churn_labels", "churned_as_of"]

_NEEDED = (
    "last_order_date",
    "days_since_last_order",
    "median_interval_days",
    "revenue_t12m",
    "revenue_prev12m",
)


@dataclass(frozen=True)
class ChurnDefinition:
    """The churn rule and the prediction horizon.

    Parameters
    ----------
    interval_multiple
        ``k``: silence longer than ``k`` times the account's median interval between order
        days is churn.
    min_silence_days
        Floor on that silence, so an account ordering every week is not "churned" after a
        three-week holiday.
    fallback_interval_days
        Usual interval assumed for accounts with a single order day (no interval yet).
    revenue_drop
        Share by which trailing-12-month revenue must fall on the 12 months before (0.5 =
        down by more than half); ``None`` switches the revenue rule off.
    horizon_days
        How far ahead risk looks: the label is whether the account churned within this
        many days after the cut-off.
    """

    interval_multiple: float = 3.0
    min_silence_days: int = 90
    fallback_interval_days: float = 60.0
    revenue_drop: float | None = 0.5
    horizon_days: int = 180

    def __post_init__(self) -> None:
        """Check the day counts are positive and the revenue drop in (0, 1); ``ValueError``."""
        numbers = {
            "interval_multiple": self.interval_multiple,
            "min_silence_days": self.min_silence_days,
            "fallback_interval_days": self.fallback_interval_days,
            "horizon_days": self.horizon_days,
        }
        for name, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be positive, got {value!r}")
        if self.revenue_drop is not None and not 0 < self.revenue_drop < 1:
            raise ValueError(f"revenue_drop must lie in (0, 1) or be None, got {self.revenue_drop}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, ready for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChurnDefinition:
        """Rebuild from :meth:`to_dict` output; unknown keys are refused."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"churn definition: unknown field(s) {unknown}")
        return cls(**dict(data))

    def silence_limit(self, interval: pl.Expr) -> pl.Expr:
        """Days without an order after which an account with ``interval`` has churned."""
        usual = interval.fill_null(self.fallback_interval_days).fill_nan(
            self.fallback_interval_days
        )
        return pl.max_horizontal(usual * self.interval_multiple, pl.lit(self.min_silence_days))


DEFAULT_CHURN = ChurnDefinition()


def _require(frame: pl.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def _declined(definition: ChurnDefinition) -> pl.Expr:
    if definition.revenue_drop is None:
        return pl.lit(False)
    prev = pl.col("revenue_prev12m").cast(pl.Float64)
    t12m = pl.col("revenue_t12m").cast(pl.Float64)
    return (prev > 0) & (t12m < (1.0 - definition.revenue_drop) * prev)


def churned_as_of(
    features: pl.DataFrame, definition: ChurnDefinition = DEFAULT_CHURN
) -> pl.DataFrame:
    """Which accounts meet the churn definition on the features' own date.

    Parameters
    ----------
    features
        Ledger features as of one date (``tenure.ledger.features.account_features``).

    Returns
    -------
    polars.DataFrame
        The input with ``churned`` (bool; null for accounts that never ordered),
        ``stopped`` and ``declined`` added.
    """
    _require(features, _NEEDED, "churned_as_of")
    silent = pl.col("days_since_last_order").cast(pl.Float64) > definition.silence_limit(
        pl.col("median_interval_days").cast(pl.Float64)
    )
    bought = pl.col("last_order_date").is_not_null()
    return features.with_columns(
        pl.when(bought).then(silent).alias("stopped"),
        pl.when(bought).then(_declined(definition)).alias("declined"),
    ).with_columns((pl.col("stopped") | pl.col("declined")).alias("churned"))


def churn_labels(
    at_cutoff: pl.DataFrame,
    at_horizon: pl.DataFrame,
    definition: ChurnDefinition = DEFAULT_CHURN,
    *,
    account_col: str = "account_key",
) -> pl.DataFrame:
    """Label accounts eligible at a cut-off by whether they churned within the horizon.

    Parameters
    ----------
    at_cutoff
        Ledger features as of the cut-off (only lines on or before it).
    at_horizon
        Ledger features of the same ledger as of the cut-off plus ``horizon_days``.
    definition
        The churn rule.
    account_col
        Account key in both frames.

    Returns
    -------
    polars.DataFrame
        One row per *eligible* account (bought before the cut-off, not churned at it):
        ``account_col``, ``churned`` (bool), ``stopped`` and ``declined`` (which rule
        fired). The silence rule uses the usual interval known at the cut-off.
    """
    _require(at_cutoff, (account_col, *_NEEDED), "churn_labels (at_cutoff)")
    _require(at_horizon, (account_col, *_NEEDED), "churn_labels (at_horizon)")
    before = churned_as_of(at_cutoff, definition)
    eligible = before.filter(pl.col("churned").not_()).select(
        account_col, pl.col("median_interval_days").alias("_interval")
    )
    after = at_horizon.select(
        account_col, "days_since_last_order", "revenue_t12m", "revenue_prev12m"
    )
    joined = eligible.join(after, on=account_col, how="left")
    stopped = pl.col("days_since_last_order").cast(pl.Float64) > definition.silence_limit(
        pl.col("_interval").cast(pl.Float64)
    )
    return joined.select(
        account_col,
        stopped.fill_null(False).alias("stopped"),
        _declined(definition).fill_null(False).alias("declined"),
    ).with_columns((pl.col("stopped") | pl.col("declined")).alias("churned"))
