"""Everything known about each account on a given day: ledger, CLV and CRM, point in time.

:class:`History` wraps the ledger's order lines and the CRM's dated facts and answers "what
did we know at the end of day *d*?" for any *d*: revenue features and the purchase-day
summary from lines dated on or before *d*, a BG/NBD + Gamma-Gamma fit on that summary, and
the CRM features from :mod:`tenure.health.engagement_features`. Results are cached per day,
so a backtest over many cut-offs reads each day once.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import polars as pl

from tenure.health.clv_inputs import clv_inputs
from tenure.health.clv_model_choice import holdout_preference
from tenure.health.engagement_features import CrmEvents, engagement_features
from tenure.insights.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    ParetoNBDFitter,
    account_clv,
    discounted_value,
    fit_transaction_model,
    period_in_time_units,
    prediction_intervals,
)
from tenure.insights.clv.identification import ParameterUncertainty
from tenure.insights.clv.lifetime_value import TransactionModel
from tenure.insights.segmentation import abc_tiers
from tenure.ledger import features as ledger_features

#: CLV horizon: twelve monthly periods at 1 % a month.
CLV_MONTHS = 12
CLV_DISCOUNT = 0.01
#: Small ridge penalties keep the fits finite on portfolios with few repeat buyers.
BGNBD_PENALIZER = 0.001
GAMMA_GAMMA_PENALIZER = 0.001
MONEY = ("revenue_total", "revenue_t12m", "revenue_prev12m", "avg_order_value")
#: Bootstrap intervals (issue 17): level, draws and seed of every scoring run.
CLV_INTERVAL_LEVEL = 0.9
CLV_INTERVAL_DRAWS = 200
CLV_INTERVAL_SEED = 17
CLV_COLUMNS = (
    "probability_alive",
    "expected_orders",
    "expected_order_value",
    "clv",
    "probability_alive_low",
    "probability_alive_high",
    "clv_low",
    "clv_high",
)
RECENT_SPEND = ("revenue_90d", "revenue_90d_prior_year")


@dataclass(frozen=True)
class ClvFit:
    """Per-account CLV outputs and what the fit said about itself."""

    accounts: pl.DataFrame  # account_key + CLV_COLUMNS
    info: dict[str, Any] = field(default_factory=dict)


def fit_clv(inputs: pl.DataFrame, *, value: bool = True, prefer: str | None = None) -> ClvFit:
    """Fit BG/NBD and Gamma-Gamma on the purchase-day summary and predict every account.

    With ``value=False`` only BG/NBD is fitted and only ``probability_alive`` is filled
    (what the risk model reads at past cut-offs).

    ``prefer`` names the transaction model tried first (the holdout's choice); BG/NBD when
    ``None``. Accounts without a purchase day get nulls. If a model cannot be fitted (no repeat
    buyer, or a Gamma-Gamma ``q <= 1``), its outputs are null and ``info["error"]`` says why;
    the scoring run goes on without them.
    """
    buyers = inputs.filter(pl.col("frequency").is_not_null())
    empty = inputs.select("account_key", *(pl.lit(None, pl.Float64).alias(c) for c in CLV_COLUMNS))
    if buyers.height == 0 or buyers.filter(pl.col("frequency") > 0).height == 0:
        return ClvFit(empty, {"error": "no account with a repeat purchase day"})
    info: dict[str, Any] = {"accounts": buyers.height}
    history = (buyers["frequency"], buyers["recency"], buyers["T"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        orders_model: TransactionModel
        uncertainty: ParameterUncertainty | None = None
        if value:
            # The run's own fit is checked for identification and falls back, named, when
            # the data cannot pin BG/NBD down (issue 17); past cut-offs of a backtest only
            # need probability alive and keep the plain fit.
            chosen = fit_transaction_model(
                *history, penalizer=BGNBD_PENALIZER, prefer=prefer or "BG/NBD"
            )
            orders_model = chosen.model
            uncertainty = chosen.diagnostics.uncertainty
            info["clv_fit"] = chosen.summary()
        else:
            orders_model = BetaGeoFitter(penalizer=BGNBD_PENALIZER).fit(*history)
        if isinstance(orders_model, BetaGeoFitter):
            r, alpha, a, b = (float(v) for v in orders_model.params_)
            info["bgnbd"] = {"r": r, "alpha": alpha, "a": a, "b": b}
        if not value:
            alive = orders_model.conditional_probability_alive(
                buyers["frequency"], buyers["recency"], buyers["T"]
            )
            predicted = buyers.select("account_key").with_columns(
                pl.Series("probability_alive", alive),
                *(pl.lit(None, pl.Float64).alias(c) for c in CLV_COLUMNS[1:]),
            )
            accounts = inputs.select("account_key").join(predicted, on="account_key", how="left")
            return ClvFit(accounts.select("account_key", *CLV_COLUMNS), info)
        value_model = GammaGammaFitter(penalizer=GAMMA_GAMMA_PENALIZER).fit(
            buyers["frequency"], buyers["monetary_value"]
        )
        info["gamma_gamma"] = {"p": value_model.p_, "q": value_model.q_, "v": value_model.v_}
    if caught:
        info["warnings"] = sorted({str(w.message) for w in caught})
    try:
        predicted = account_clv(
            buyers,
            orders_model,
            value_model,
            account_col="account_key",
            horizon=CLV_MONTHS,
            discount_rate=CLV_DISCOUNT,
            period="M",
        )
        info["value_per_order"] = "gamma-gamma"
    except ValueError as error:
        # q <= 1: spend per order is too heavy-tailed for a finite population mean. Each
        # account's own mean repeat order value stands in (the portfolio's median for an
        # account without a repeat order), and the fact is recorded with the run.
        info["value_per_order"] = "own mean repeat order (Gamma-Gamma not usable)"
        info["gamma_gamma_error"] = str(error)
        predicted = _clv_with_own_value(buyers, orders_model)
    predicted = _with_intervals(buyers, predicted, orders_model, uncertainty, info)
    accounts = inputs.select("account_key").join(predicted, on="account_key", how="left")
    return ClvFit(accounts.select("account_key", *CLV_COLUMNS), info)


def _with_intervals(
    buyers: pl.DataFrame,
    predicted: pl.DataFrame,
    orders_model: TransactionModel,
    uncertainty: ParameterUncertainty | None,
    info: dict[str, Any],
) -> pl.DataFrame:
    """Add the bootstrap intervals of probability alive and CLV (nulls when there are none)."""
    names = ("probability_alive_low", "probability_alive_high", "clv_low", "clv_high")
    if uncertainty is None or not isinstance(orders_model, BetaGeoFitter | ParetoNBDFitter):
        return predicted.with_columns(pl.lit(None, pl.Float64).alias(n) for n in names)
    try:
        bounds = prediction_intervals(
            orders_model,
            uncertainty,
            buyers["frequency"],
            buyers["recency"],
            buyers["T"],
            horizon=CLV_MONTHS,
            period="M",
            value_per_purchase=predicted["expected_order_value"].fill_null(0.0),
            discount_rate=CLV_DISCOUNT,
            level=CLV_INTERVAL_LEVEL,
            draws=CLV_INTERVAL_DRAWS,
            rng=np.random.default_rng(CLV_INTERVAL_SEED),
        )
    except ValueError as error:
        info["intervals_error"] = str(error)
        return predicted.with_columns(pl.lit(None, pl.Float64).alias(n) for n in names)
    info["intervals"] = {"level": CLV_INTERVAL_LEVEL, "draws": CLV_INTERVAL_DRAWS}
    return predicted.with_columns(bounds.select(*names))


def _clv_with_own_value(buyers: pl.DataFrame, orders_model: TransactionModel) -> pl.DataFrame:
    repeat = buyers.filter(pl.col("frequency") > 0)
    typical = 0.0
    if repeat.height:
        median = repeat["monetary_value"].median()
        assert isinstance(median, float)  # polars' median of a numeric column is a float
        typical = median
    value = (
        buyers.select(pl.when(pl.col("frequency") > 0).then("monetary_value").otherwise(typical))
        .to_series()
        .to_numpy()
    )
    history = (buyers["frequency"], buyers["recency"], buyers["T"])
    step = period_in_time_units("M", "W")
    return buyers.select("account_key").with_columns(
        pl.Series("probability_alive", orders_model.conditional_probability_alive(*history)),
        pl.Series(
            "expected_orders",
            orders_model.conditional_expected_number_of_purchases_up_to_time(
                CLV_MONTHS * step, *history
            ),
        ),
        pl.Series("expected_order_value", value),
        pl.Series(
            "clv",
            discounted_value(
                orders_model, *history, value, horizon=CLV_MONTHS, discount_rate=CLV_DISCOUNT
            ),
        ),
    )


class History:
    """Point-in-time account states from one ledger and one read of the CRM.

    Parameters
    ----------
    lines
        The ledger's order lines (an Ibis table).
    events
        The CRM's dated facts (:func:`~tenure.health.engagement_features.load_crm_events`).
    window_days, recent_days
        CRM windows of the state (the risk model's: 180 and 90 days).
    a_share, b_share
        Tier cut-offs, for the tier an account had on the day.
    ledger_through
        The ledger's last day (its freshness). Ledger measures of a later day count to this
        day, so an export a few days old does not read as days of silence.
    """

    def __init__(
        self,
        lines: ir.Table | None,
        events: CrmEvents,
        *,
        window_days: int = 180,
        recent_days: int = 90,
        a_share: float = 0.80,
        b_share: float = 0.95,
        ledger_through: dt.date | None = None,
    ) -> None:
        self.lines = lines
        self.ledger_through = ledger_through
        self.events = events
        self.window_days = window_days
        self.recent_days = recent_days
        self.a_share = a_share
        self.b_share = b_share
        #: Days whose state gets the full CLV (orders and value); others only BG/NBD.
        self.valued_days: set[dt.date] = set()
        self._ledger: dict[dt.date, pl.DataFrame] = {}
        self._states: dict[dt.date, pl.DataFrame] = {}
        self.clv_info: dict[dt.date, dict[str, Any]] = {}

    def ledger_day(self, as_of: dt.date) -> dt.date:
        """The day the ledger's measures of ``as_of`` count to: never past its freshness."""
        if self.ledger_through is None:
            return as_of
        return min(as_of, self.ledger_through)

    def ledger(self, as_of: dt.date) -> pl.DataFrame:
        """Revenue features of every ledger account at the end of ``as_of`` (cached)."""
        if as_of not in self._ledger:
            if self.lines is None:
                raise ValueError("this History has no ledger lines")
            frame = ledger_features.to_polars(
                ledger_features.account_features(self.lines, as_of=self.ledger_day(as_of))
            )
            self._ledger[as_of] = frame.with_columns(
                pl.col(c).cast(pl.Float64) for c in MONEY if c in frame.columns
            )
        return self._ledger[as_of]

    def put_ledger(self, as_of: dt.date, features: pl.DataFrame) -> None:
        """Use features already computed for ``as_of`` (the scoring run has them)."""
        self._ledger[as_of] = features.with_columns(
            pl.col(c).cast(pl.Float64) for c in MONEY if c in features.columns
        )

    def clv(self, as_of: dt.date) -> pl.DataFrame:
        """Purchase-day summary, recent spend and CLV outputs per ledger account."""
        if self.lines is None:
            return pl.DataFrame(
                schema={"account_key": pl.String}
                | {c: pl.Float64 for c in RECENT_SPEND}
                | {c: pl.Float64 for c in CLV_COLUMNS}
            )
        inputs = ledger_features.to_polars(clv_inputs(self.lines, as_of=self.ledger_day(as_of)))
        valued = as_of in self.valued_days
        prefer, holdout = (
            holdout_preference(self.lines, inputs, as_of=self.ledger_day(as_of))
            if valued
            else (None, {})
        )
        fitted = fit_clv(inputs, value=valued, prefer=prefer)
        if "clv_fit" in fitted.info:
            fitted.info["clv_fit"]["holdout_choice"] = holdout
        self.clv_info[as_of] = fitted.info
        return inputs.join(fitted.accounts, on="account_key", how="left")

    def state(self, as_of: dt.date) -> pl.DataFrame:
        """One row per CRM account: everything known at the end of ``as_of`` (cached).

        Columns: ``account_id``, ``account_key`` (the external id), the ledger's revenue
        features, the purchase-day summary and CLV outputs, ``tier`` (A/B/C on trailing
        revenue as of the day) and the engagement features. Accounts without order lines
        have null revenue features.
        """
        if as_of in self._states:
            return self._states[as_of]
        crm = self.events.accounts.rename({"external_id": "account_key"})
        ledger = (
            self.ledger(as_of)
            if self.lines is not None or as_of in self._ledger
            else pl.DataFrame(schema={"account_key": pl.String})
        )
        frame = crm.join(ledger, on="account_key", how="left").join(
            self.clv(as_of), on="account_key", how="left"
        )
        revenue = frame.select(
            "account_id",
            pl.col("revenue_t12m").cast(pl.Float64).fill_null(0.0).alias("revenue")
            if "revenue_t12m" in frame.columns
            else pl.lit(0.0).alias("revenue"),
        )
        tiers = abc_tiers(
            revenue, account_col="account_id", a_share=self.a_share, b_share=self.b_share
        ).select("account_id", "tier")
        engagement = engagement_features(
            self.events, as_of=as_of, window_days=self.window_days, recent_days=self.recent_days
        )
        state = frame.join(tiers, on="account_id", how="left").join(
            engagement, on="account_id", how="left"
        )
        self._states[as_of] = state
        return state

    def sample(self, accounts: int, *, seed: int = 7) -> History:
        """A History of a seeded random sample of the CRM's accounts (all when fewer).

        The ledger lines are narrowed to the sample's keys by a semi-join in the ledger,
        so training on a large portfolio reads and aggregates less. Revenue features
        already computed for a day (the run's own, see :meth:`put_ledger`) are kept for the
        sample's keys instead of being read again: each account's features are its own.
        """
        crm = self.events.accounts.filter(pl.col("external_id").is_not_null())
        if crm.height <= accounts:
            return self
        chosen = crm.sample(n=accounts, seed=seed)
        keys = ibis.memtable(chosen.select(pl.col("external_id").alias("account_key")).to_arrow())
        lines = None if self.lines is None else self.lines.semi_join(keys, "account_key")
        events = replace(self.events, accounts=chosen)
        sampled = History(
            lines,
            events,
            window_days=self.window_days,
            recent_days=self.recent_days,
            a_share=self.a_share,
            b_share=self.b_share,
            ledger_through=self.ledger_through,
        )
        sampled_keys = chosen.select(pl.col("external_id").alias("account_key"))
        for day, frame in self._ledger.items():
            sampled._ledger[day] = frame.join(sampled_keys, on="account_key", how="semi")
        return sampled
