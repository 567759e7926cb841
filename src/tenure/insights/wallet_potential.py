"""Potential spend and share of wallet: what an account could buy, bounded by what it buys.

An account's *wallet* is what it could spend with us in a year. Following Perlich, Rosset
et al. (2007), "High-quantile modeling for customer wallet estimation and other
applications" (KDD '07), the wallet is read as what the best-served comparable customers
of the same size spend: a high quantile of spend given size, not the median (by definition
half the peers buy more than their median, which made half the portfolio "above 100 %").

The model, per industry, is a location-shift quantile model on the log scale::

    log(spend) = a + b · log(employees) + e

fitted by least squares over the industry's buying accounts, with the potential at the
``quantile`` of the residuals ``e`` and the interval at the ``interval`` quantiles. It
scales with the account's size along the industry's own curve (the slope ``b`` is kept in
``[0, max_slope]``: a handful of peers cannot make potential fall with size), so the
largest customers are compared with a curve, not with a size band they sit at the top of.

Every figure is then **bounded by what the account already buys**: potential and both ends
of its interval are at least the account's revenue, so the share of wallet (revenue over
potential) always lies in [0, 1]. An account buying at or beyond its peers' upper range
gets potential = revenue and ``above_peers``: the peers cannot say more, and nothing is
invented. With too few buying peers, or no employee count, there is no estimate at all,
only the reason.

* :class:`SpendBySize` fits the curves and predicts unbounded potentials.
* :func:`potential_spend` adds the bounds and the shares for a whole portfolio.
* :func:`bounded_potential` and :func:`wallet_share` apply the same rule to one figure (a
  potential entered by the team): every page and the API read shares from these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

UNKNOWN_INDUSTRY = "unknown industry"


def _require(frame: pl.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; got {frame.columns}")


def bounded_potential(revenue: float, potential: float) -> float:
    """Potential spend that is never below what the account already buys.

    Parameters
    ----------
    revenue : float
        What the account bought from us in the trailing 12 months (negative counts as 0).
    potential : float
        An estimate or a figure entered by the team.

    Returns
    -------
    float
        ``max(revenue, potential)``, with negative values read as 0.
    """
    return max(revenue, potential, 0.0)


def wallet_share(revenue: float | None, potential: float | None) -> float | None:
    """Share of wallet: revenue over the bounded potential, always in [0, 1].

    Parameters
    ----------
    revenue : float or None
        Trailing-12-month revenue; ``None`` when unknown.
    potential : float or None
        Potential spend; ``None`` when there is none.

    Returns
    -------
    float or None
        The share, or ``None`` when either figure is missing or not finite, or when both
        are zero (nothing bought, nothing to buy: no share to speak of).
    """
    if revenue is None or potential is None:
        return None
    revenue, potential = float(revenue), float(potential)
    if not (math.isfinite(revenue) and math.isfinite(potential)):
        return None
    bought = max(revenue, 0.0)
    wallet = bounded_potential(bought, potential)
    if wallet == 0:
        return None
    return bought / wallet


class SpendBySize:
    """Per industry, a high quantile of spend given size, on the log scale.

    Parameters
    ----------
    quantile : float
        Quantile of the residuals taken as the potential (0.8: what an account of this size
        spends when it buys like the top fifth of its industry).
    interval : tuple of float
        Residual quantiles of the interval's ends.
    min_peers : int
        Buying accounts with an employee count an industry needs for an estimate.
    max_slope : float
        Upper limit of the size elasticity ``b``; the lower limit is 0.

    Attributes
    ----------
    curves_ : polars.DataFrame
        One row per industry with enough peers: ``industry``, ``n_peers``, ``intercept``,
        ``slope``, ``shift_low``, ``shift``, ``shift_high`` (residual quantiles).
    n_peers_ : dict
        Buying accounts with an employee count per industry, including those too few.
    """

    def __init__(
        self,
        *,
        quantile: float = 0.8,
        interval: tuple[float, float] = (0.5, 0.95),
        min_peers: int = 5,
        max_slope: float = 1.5,
    ) -> None:
        self.quantile = quantile
        self.interval = interval
        self.min_peers = min_peers
        self.max_slope = max_slope

    def _check(self) -> None:
        low, high = self.interval
        if not 0 < low <= self.quantile <= high < 1:
            raise ValueError("need 0 < interval[0] <= quantile <= interval[1] < 1")
        if self.min_peers < 2:
            raise ValueError("min_peers must be at least 2 to fit a curve")
        if self.max_slope < 0:
            raise ValueError("max_slope cannot be negative")

    def fit(self, industry: Sequence[str], employees: np.ndarray, spend: np.ndarray) -> SpendBySize:
        """Fit one curve per industry from its buying accounts.

        Parameters
        ----------
        industry : sequence of str
            Each account's industry.
        employees, spend : numpy.ndarray
            Each account's employees and trailing-12-month spend; only accounts with both
            positive are used.

        Returns
        -------
        SpendBySize
            ``self``, fitted.
        """
        self._check()
        industries = np.asarray(industry, dtype=object)
        size = np.asarray(employees, dtype=float)
        bought = np.asarray(spend, dtype=float)
        usable = np.isfinite(size) & np.isfinite(bought) & (size > 0) & (bought > 0)
        rows = []
        self.n_peers_: dict[str, int] = {}
        for name in sorted(set(industries[usable].tolist())):
            member = usable & (industries == name)
            x, y = np.log(size[member]), np.log(bought[member])
            self.n_peers_[name] = int(member.sum())
            if member.sum() < self.min_peers:
                continue
            spread = x - x.mean()
            denominator = float(spread @ spread)
            # All peers of one size: no slope to learn, the level alone.
            slope = float(spread @ (y - y.mean())) / denominator if denominator > 0 else 0.0
            slope = min(max(slope, 0.0), self.max_slope)
            intercept = float(y.mean() - slope * x.mean())
            residuals = y - intercept - slope * x
            low, mid, high = np.quantile(
                residuals, [self.interval[0], self.quantile, self.interval[1]]
            )
            rows.append(
                (name, int(member.sum()), intercept, slope, float(low), float(mid), float(high))
            )
        self.curves_ = pl.DataFrame(
            rows,
            schema={
                "industry": pl.String,
                "n_peers": pl.Int64,
                "intercept": pl.Float64,
                "slope": pl.Float64,
                "shift_low": pl.Float64,
                "shift": pl.Float64,
                "shift_high": pl.Float64,
            },
            orient="row",
        )
        return self

    def predict(self, industry: Sequence[str], employees: np.ndarray) -> np.ndarray:
        """Unbounded potentials: an array of shape (n, 3), low, estimate and high.

        Rows without a fitted curve for their industry, or without a positive employee count,
        are NaN.
        """
        size = np.asarray(employees, dtype=float)
        out = np.full((len(size), 3), np.nan)
        index = {name: i for i, name in enumerate(self.curves_["industry"].to_list())}
        curve = np.array([index.get(name, -1) for name in industry], dtype=np.int64)
        with np.errstate(invalid="ignore"):
            ok = (curve >= 0) & np.isfinite(size) & (size > 0)
        params = self.curves_.select(
            "intercept", "slope", "shift_low", "shift", "shift_high"
        ).to_numpy()[curve[ok]]
        level = params[:, 0] + params[:, 1] * np.log(size[ok])
        out[ok] = np.exp(level[:, None] + params[:, 2:5])
        return out


def potential_spend(
    accounts: pl.DataFrame,
    *,
    account_col: str = "account_id",
    industry_col: str = "industry",
    revenue_col: str = "revenue",
    employees_col: str = "employees",
    min_peers: int = 5,
    quantile: float = 0.8,
    interval: tuple[float, float] = (0.5, 0.95),
) -> pl.DataFrame:
    """Potential spend per account, bounded by what it buys, and its share of wallet.

    Parameters
    ----------
    accounts : polars.DataFrame
        One row per account with its industry, employees and trailing-12-month revenue.
    account_col, industry_col, revenue_col, employees_col : str
        Column names.
    min_peers, quantile, interval
        As in :class:`SpendBySize`.

    Returns
    -------
    polars.DataFrame
        ``account_col``, ``potential_low``, ``potential``, ``potential_high`` (each at least
        the revenue), ``share_of_wallet``, ``share_low``, ``share_high`` (in [0, 1]),
        ``above_peers`` (revenue at or beyond the peers' upper end), ``n_peers``,
        ``peer_label`` and ``reason`` (why there is no estimate, when there is none).
    """
    _require(accounts, [account_col, industry_col, revenue_col, employees_col], "potential_spend")
    frame = accounts.select(
        account_col,
        pl.col(industry_col).fill_null("").replace("", UNKNOWN_INDUSTRY).alias("_industry"),
        pl.col(revenue_col).cast(pl.Float64).alias("_revenue"),
        pl.col(employees_col).cast(pl.Float64).alias("_employees"),
    )
    industry = frame["_industry"].to_list()
    employees = frame["_employees"].fill_null(math.nan).to_numpy()
    revenue = frame["_revenue"].fill_null(0.0).to_numpy()
    model = SpendBySize(quantile=quantile, interval=interval, min_peers=min_peers).fit(
        industry, employees, revenue
    )
    raw = model.predict(industry, employees)
    # An absurd size (a fraction of a person, millions of staff) can overflow the curve.
    raw[~np.isfinite(raw).all(axis=1)] = np.nan
    bought = np.clip(np.nan_to_num(revenue, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
    # Bounding every end keeps low ≤ estimate ≤ high, and each at least what is bought.
    bounded = np.maximum(raw, bought[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(bounded > 0, bought[:, None] / bounded, np.nan)
    n_peers = [model.n_peers_.get(name, 0) for name in industry]
    estimated = ~np.isnan(raw[:, 1])
    reasons = [
        None
        if ok
        else (
            "no employee count to compare it with its peers"
            if not (math.isfinite(people) and people > 0)
            else "the peers' curve gives no finite figure at this size"
            if n >= min_peers
            else f"only {n} buying {name} accounts with an employee count"
            f" (at least {min_peers} needed)"
        )
        for ok, people, n, name in zip(estimated, employees, n_peers, industry, strict=True)
    ]

    def column(values: np.ndarray) -> pl.Series:
        return pl.Series(values, dtype=pl.Float64).fill_nan(None)

    return pl.DataFrame(
        {
            account_col: frame[account_col],
            "potential_low": column(bounded[:, 0]),
            "potential": column(bounded[:, 1]),
            "potential_high": column(bounded[:, 2]),
            "share_of_wallet": column(shares[:, 1]),
            # The interval of the share runs the other way: a larger wallet, a smaller share.
            "share_low": column(shares[:, 2]),
            "share_high": column(shares[:, 0]),
            "above_peers": pl.Series(estimated & (bought >= np.nan_to_num(raw[:, 2], nan=np.inf))),
            "n_peers": pl.Series(n_peers, dtype=pl.Int64),
            "peer_label": pl.Series([f"{name} accounts" for name in industry], dtype=pl.String),
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )
