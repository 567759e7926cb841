"""The backtest's figures as PNG: the calibration plot and the lift (cumulative gains) chart.

Matplotlib draws off-screen (the Agg backend), so the command runs on a server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tenure.insights.backtest import calibration_bins, lift_table

SCORES = (
    ("model", "Risk model"),
    ("logistic", "Logistic regression"),
    ("health", "Health score"),
    ("recency", "Recency alone"),
)
OUTCOMES = (("churned", "churn by the definition"), ("truth", "recorded churn (ground truth)"))


def _pyplot() -> Any:  # matplotlib.pyplot, imported late to pick the Agg backend
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _scores(frame: pl.DataFrame) -> dict[str, np.ndarray]:
    scores = {
        "model": frame["risk"].to_numpy(),
        "health": 100.0 - frame["health_score"].cast(pl.Float64).fill_null(50.0).to_numpy(),
        "recency": frame["days_since_last_order"].cast(pl.Float64).to_numpy(),
    }
    if "logistic" in frame.columns:  # the linear baseline, when the backtest ran it
        scores["logistic"] = frame["logistic"].to_numpy()
    return scores


def calibration_figure(pooled: pl.DataFrame, path: Path, *, bins: int = 10) -> Path:
    """Predicted risk against the observed churn rate, per decile of predictions."""
    plt = _pyplot()
    outcomes = [(c, label) for c, label in OUTCOMES if c in pooled.columns]
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.2 * len(outcomes), 4.6), squeeze=False)
    for ax, (column, label) in zip(axes[0], outcomes, strict=True):
        known = pooled.filter(pl.col(column).is_not_null())
        table = calibration_bins(
            known[column].to_numpy(), known["risk"].to_numpy(), bins=bins, strategy="quantile"
        )
        predicted, observed = table["mean_predicted"].max(), table["observed_rate"].max()
        # Rates of non-empty bins: Float64 columns with at least one row.
        assert isinstance(predicted, float)
        assert isinstance(observed, float)
        top = max(predicted, observed) * 1.1
        ax.plot([0, top], [0, top], color="#999999", linestyle="--", label="perfect calibration")
        ax.plot(
            table["mean_predicted"],
            table["observed_rate"],
            marker="o",
            color="#1f5f99",
            label="risk model (deciles of predictions)",
        )
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("predicted churn probability")
        ax.set_ylabel("observed churn rate")
        ax.set_title(f"Calibration against {label}", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def lift_figure(pooled: pl.DataFrame, path: Path) -> Path:
    """Share of churners caught in the riskiest x % of accounts, model against baselines."""
    plt = _pyplot()
    outcomes = [(c, label) for c, label in OUTCOMES if c in pooled.columns]
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.2 * len(outcomes), 4.6), squeeze=False)
    colours = {"model": "#1f5f99", "logistic": "#7a4fa0", "health": "#4c9a2a", "recency": "#c0642b"}
    for ax, (column, label) in zip(axes[0], outcomes, strict=True):
        known = pooled.filter(pl.col(column).is_not_null())
        y = known[column].to_numpy()
        scores = _scores(known)
        for key, name in SCORES:
            if key not in scores:
                continue
            table = lift_table(y, scores[key], groups=20)
            x = np.r_[0.0, table["share_of_accounts"].to_numpy()] * 100
            captured = np.r_[0.0, table["captured"].to_numpy()] * 100
            lift = float(table["lift"][0] + table["lift"][1]) / 2
            ax.plot(x, captured, color=colours[key], label=f"{name} (top-decile lift {lift:.1f})")
        ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", label="random order")
        ax.set_xlabel("accounts contacted, riskiest first (%)")
        ax.set_ylabel("churners caught (%)")
        ax.set_title(f"Lift against {label}", fontsize=10)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
