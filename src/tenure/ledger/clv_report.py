"""The CLV holdout report: fit on a calibration period, check against the holdout.

Reads purchase days from the ledger or an order-line file, splits them at a calibration
end, lets :func:`tenure.insights.clv.choose_on_holdout` pick the transaction model, and
measures its holdout predictions against the naive "calibration rate continues" baseline
in the same run. ``tenure clv --report`` prints it; the plots are the weekly and cumulative
tracking charts of Fader, Hardie & Lee (2005), figures 2 and 3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tenure.insights.clv import TransactionFit, choose_on_holdout, rfm_summary
from tenure.insights.clv.holdout import (
    HoldoutMetrics,
    holdout_metrics,
    naive_holdout_prediction,
    tracking_frame,
)

__all__ = ["ClvReport", "clv_report", "default_calibration_end", "write_tracking_plots"]

WEEK = 7.0


@dataclass(frozen=True)
class ClvReport:
    """Everything ``tenure clv --report`` shows."""

    calibration_start: dt.date
    calibration_end: dt.date
    observation_end: dt.date
    customers: int
    fit: TransactionFit
    model: HoldoutMetrics
    naive: HoldoutMetrics
    tracking: pl.DataFrame

    @property
    def beats_naive(self) -> dict[str, bool]:
        """Per metric, whether the model beat the naive baseline."""
        return self.model.beats(self.naive)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "calibration": [self.calibration_start.isoformat(), self.calibration_end.isoformat()],
            "holdout_end": self.observation_end.isoformat(),
            "holdout_weeks": (self.observation_end - self.calibration_end).days / WEEK,
            "customers": self.customers,
            "fit": self.fit.summary(),
            "holdout": {
                "model": self.model.as_dict(),
                "naive": self.naive.as_dict(),
                "model_beats_naive": self.beats_naive,
            },
        }

    def as_text(self) -> str:
        """The report for a terminal."""
        fit, diagnostics = self.fit, self.fit.diagnostics
        weeks = (self.observation_end - self.calibration_end).days / WEEK
        lines = [
            f"CLV holdout report: {self.customers:,} customers first seen "
            f"{self.calibration_start} to {self.calibration_end}; holdout to "
            f"{self.observation_end} ({weeks:.1f} weeks)",
            f"Model: {fit.name}" + (" (fallback)" if fit.fallback else ""),
        ]
        if fit.holdout_mae:
            lines.append(
                "  chosen on holdout MAE: "
                + ", ".join(f"{name} {mae:.4f}" for name, mae in fit.holdout_mae.items())
            )
        names = diagnostics.uncertainty.names
        for name, value, error in zip(
            names,
            diagnostics.uncertainty.estimates,
            diagnostics.uncertainty.standard_errors,
            strict=True,
        ):
            lines.append(f"  {name:<6} {value:>12.4f}   SE {error:.4f}")
        lines.append(f"  log-likelihood {fit.model.log_likelihood_:.2f}")
        lines.append(
            "  identified: "
            + ("yes" if diagnostics.identified else "NO: " + "; ".join(diagnostics.reasons))
        )
        for name, other in fit.candidates.items():
            if name != fit.name:
                lines.append(
                    f"  also tried {name}: "
                    + (
                        "identified"
                        if other.identified
                        else "not identified: " + "; ".join(other.reasons)
                    )
                )
        lines.append("Holdout repeat purchases       model        naive   model better")
        beats = self.beats_naive
        for label, key in (
            ("predicted total", "predicted"),
            ("actual total", "actual"),
            ("MAE per customer", "mae"),
            ("RMSE per customer", "rmse"),
            ("MSLE per customer", "msle"),
            ("aggregate bias", "bias"),
        ):
            ours, theirs = getattr(self.model, key), getattr(self.naive, key)
            mark = ("yes" if beats[key] else "no") if key in beats else ""
            if key == "bias":
                lines.append(f"  {label:<26}{ours:>+11.1%}  {theirs:>+11.1%}   {mark}")
            else:
                lines.append(f"  {label:<26}{ours:>11.4f}  {theirs:>11.4f}   {mark}")
        return "\n".join(lines)


def default_calibration_end(first: dt.date, last: dt.date) -> dt.date:
    """Half-way between the first and the last purchase day (CDNOW's 39/39 weeks)."""
    return first + dt.timedelta(days=(last - first).days // 2)


def clv_report(
    days: pl.DataFrame,
    *,
    calibration_end: dt.date | None = None,
    observation_end: dt.date | None = None,
) -> ClvReport:
    """Build the holdout report from order lines or purchase days.

    Parameters
    ----------
    days
        ``account_key``, ``order_date`` (Date) and ``amount``; several lines of a day are
        one purchase.
    calibration_end
        Last day of the calibration period; half-way through the data when omitted.
    observation_end
        Last day of the holdout; the last order day when omitted.

    Raises
    ------
    ValueError
        Too little data to split, or a split that leaves no purchase in the holdout.
    """
    if days.height == 0:
        raise ValueError("no order lines to report on")
    first, last = days["order_date"].min(), days["order_date"].max()
    if not (isinstance(first, dt.date) and isinstance(last, dt.date)):
        raise ValueError("order_date must be a date column")
    observation_end = observation_end or last
    calibration_end = calibration_end or default_calibration_end(first, observation_end)
    if not first <= calibration_end < observation_end:
        raise ValueError(
            f"the calibration must end ({calibration_end}) between the first order day "
            f"({first}) and the end of the holdout ({observation_end})"
        )
    summary = rfm_summary(
        days,
        customer_col="account_key",
        date_col="order_date",
        observation_end=observation_end,
        calibration_end=calibration_end,
        time_unit="W",
    )
    history = (summary["frequency"], summary["recency"], summary["T"])
    holdout_length = (observation_end - calibration_end).days / WEEK
    actual = summary["frequency_holdout"]
    fit = choose_on_holdout(*history, actual, holdout_length)
    predicted = fit.model.conditional_expected_number_of_purchases_up_to_time(
        holdout_length, *history
    )
    naive = naive_holdout_prediction(*history, holdout_length)
    tracking = tracking_frame(
        days,
        fit.model,
        customer_col="account_key",
        date_col="order_date",
        calibration_end=calibration_end,
        observation_end=observation_end,
    )
    return ClvReport(
        calibration_start=first,
        calibration_end=calibration_end,
        observation_end=observation_end,
        customers=summary.height,
        fit=fit,
        model=holdout_metrics(predicted, actual),
        naive=holdout_metrics(naive, actual),
        tracking=tracking,
    )


def write_tracking_plots(report: ClvReport, folder: Path) -> list[Path]:
    """Write ``clv_tracking_weekly.png`` and ``clv_tracking_cumulative.png`` into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    tracking = report.tracking
    weeks = tracking["period"].to_numpy()
    split = int(tracking.filter(~pl.col("holdout")).height) + 0.5
    written = []
    for name, actual, expected, label in (
        ("weekly", "actual", "expected", "Repeat purchases per week"),
        ("cumulative", "cumulative_actual", "cumulative_expected", "Cumulative repeat purchases"),
    ):
        figure, axes = plt.subplots(figsize=(8, 4.2), dpi=110)
        axes.plot(weeks, tracking[actual].to_numpy(), color="#222222", label="actual")
        axes.plot(
            weeks,
            tracking[expected].to_numpy(),
            color="#1f77b4",
            linestyle="--",
            label=report.fit.name,
        )
        axes.axvline(split, color="#888888", linewidth=1)
        axes.text(split, axes.get_ylim()[1] * 0.97, "  holdout", va="top", color="#555555")
        axes.set_xlabel("week")
        axes.set_ylabel(label.lower())
        axes.set_title(f"{label}: actual and {report.fit.name}")
        axes.legend(loc="best", frameon=False)
        figure.tight_layout()
        path = folder / f"clv_tracking_{name}.png"
        figure.savefig(path)
        plt.close(figure)
        written.append(path)
    return written
