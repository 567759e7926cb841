"""What ``tenure backtest`` prints: the metrics table and the suggested health weights."""

from __future__ import annotations

import polars as pl

from tenure.health.backtest_run import SuggestedWeights
from tenure.insights.health import Scorecard


def metrics_lines(metrics: pl.DataFrame, *, horizon: int, lookback: int) -> list[str]:
    """The pooled figures, one line per outcome and score, with the labels explained."""
    pooled = metrics.filter(pl.col("cutoff") == "all")
    lines = [
        "",
        "All cut-offs pooled. definition: the churn settings' rule; no_order: no order in "
        f"the next {horizon} days, among accounts that ordered in the {lookback} days "
        "before the cut-off.",
        f"  {'outcome':<14}{'score':<10}{'n':>8}{'churned':>9}{'ROC-AUC':>9}"
        f"{'PR-AUC':>9}{'lift@10%':>10}{'Brier':>9}",
    ]
    for row in pooled.iter_rows(named=True):
        brier = f"{row['brier']:>9.4f}" if row["brier"] is not None else f"{'—':>9}"
        lines.append(
            f"  {row['outcome']:<14}{row['score']:<10}{row['n']:>8,}{row['positives']:>9,}"
            f"{row['roc_auc']:>9.3f}{row['pr_auc']:>9.3f}{row['top_decile_lift']:>10.2f}{brier}"
        )
    return [*lines, ""]


def how_measured(learnt: SuggestedWeights) -> str:
    """Whether the weightings' figures are out of time or in-sample, in words."""
    if learnt.out_of_time:
        return "out of time: each fold scored with weights learnt on the folds before it"
    return "in sample: one fold only, so these figures flatter the suggestion"


def weights_lines(learnt: SuggestedWeights, scorecard: Scorecard) -> list[str]:
    """Current and suggested shares side by side, then both weightings' ROC-AUC."""
    suggestion = learnt.suggestion
    lines = [
        "",
        "Suggested health weights (constrained logistic regression on "
        f"{suggestion.rows:,} account-cut-offs, {suggestion.positives:,} churned by the "
        "definition; % of the score):",
        f"  {'measure':<22}{'current':>9}{'suggested':>11}",
    ]
    for m in scorecard.measures:
        kept = "" if m.key in suggestion.learnt else "  (kept: not known in the backtest)"
        lines.append(
            f"  {m.key:<22}{suggestion.current[m.key]:>8.1f}%"
            f"{suggestion.suggested[m.key]:>10.1f}%{kept}"
        )
    lines.append(f"Health ROC-AUC on {learnt.rows:,} account-cut-offs ({how_measured(learnt)}):")
    for (outcome, weighting), value in sorted(learnt.roc_auc.items()):
        lines.append(f"  {outcome:<14}{weighting:<11}{value:>7.3f}")
    return lines


def draft_note(learnt: SuggestedWeights) -> str:
    """The note stored with a draft version: how it was measured and both figures."""
    figures = "; ".join(
        f"{outcome} {weighting} ROC-AUC {value:.3f}"
        for (outcome, weighting), value in sorted(learnt.roc_auc.items())
    )
    return f"Suggested by tenure backtest ({how_measured(learnt)}): {figures}"
