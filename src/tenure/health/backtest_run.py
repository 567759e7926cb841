"""The churn backtest under two labels, with three baselines, on cut-offs the ledger allows.

At each evaluation cut-off *c* every account that is eligible under either label gets:

* its **definition** label (the configured churn rule, :func:`churn_labels`) and its
  **no_order** label (no order in the horizon, among the year's buyers,
  :func:`no_order_labels`) — ``None`` where it is not eligible for that label;
* four scores: the **model** (LightGBM, trained for that label on earlier cut-offs whose
  horizon had ended by *c*), **logistic** (:class:`LogisticBaseline` on the same rows and
  features), **recency** (days since the last order) and **health** (100 − the health
  score; no score ranks in the middle).

Each label's model and logistic baseline are trained on that label: comparing a model
trained for one target against another target would measure the mismatch, not the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from tenure.health.point_in_time import History
from tenure.health.prepare import health_frame
from tenure.health.risk_training import (
    cutoff_plan,
    ledger_start,
    model_inputs,
    rolling_cutoffs,
    truth_labels,
)
from tenure.insights.backtest import evaluate
from tenure.insights.health import Scorecard, score_health, suggest_weights, with_weights
from tenure.insights.health.weights import WeightSuggestion
from tenure.insights.risk import (
    DEFAULT_LOOKBACK_DAYS,
    RISK_FEATURES,
    ChurnDefinition,
    ChurnRiskModel,
    HistoryPlan,
    LogisticBaseline,
    churn_labels,
    no_order_labels,
)

Progress = Callable[[str], None]
#: Label columns and the names the CSV gives them.
LABELS = {"churned": "definition", "no_order": "no_order", "truth": "ground truth"}
SCORES = ("model", "recency", "logistic", "health")
#: Labels a model is trained for ("ground truth" is scored with the definition's model).
TRAINED = ("churned", "no_order")


def labelled_cutoff(
    history: History,
    cutoff: dt.date,
    definition: ChurnDefinition,
    *,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> pl.DataFrame:
    """Features and both labels of the accounts eligible under either label at ``cutoff``.

    Returns
    -------
    polars.DataFrame
        ``cutoff``, ``account_id``, ``account_key``, the features, ``churned`` and
        ``no_order`` (Int8; null when not eligible for that label).
    """
    known = cutoff - dt.timedelta(days=1)
    outcome = known + dt.timedelta(days=definition.horizon_days)
    at_cutoff, at_horizon = history.ledger(known), history.ledger(outcome)
    rule = churn_labels(at_cutoff, at_horizon, definition).select(
        "account_key", pl.col("churned").cast(pl.Int8)
    )
    plain = no_order_labels(at_cutoff, at_horizon, cutoff=cutoff, lookback_days=lookback_days)
    inputs = model_inputs(history.state(known), as_of=known)
    return (
        inputs.join(rule, on="account_key", how="left")
        .join(plain, on="account_key", how="left")
        .filter(pl.col("churned").is_not_null() | pl.col("no_order").is_not_null())
        .with_columns(pl.lit(cutoff).alias("cutoff"))
        .sort("account_id")
    )


@dataclass(frozen=True)
class Backtest:
    """Every account-cut-off's labels and scores, and the metrics table (long format)."""

    plan: HistoryPlan
    definition: ChurnDefinition
    cutoffs: tuple[dt.date, ...]
    predictions: pl.DataFrame
    metrics: pl.DataFrame
    trained_on: dict[dt.date, tuple[dt.date, ...]]


def _training_cutoffs(
    history: History,
    cutoff: dt.date,
    plan: HistoryPlan,
    *,
    count: int | None,
    step_days: int | None,
) -> list[dt.date]:
    """Cut-offs whose horizon ended before ``cutoff``, at least the minimum history in."""
    planned_count, planned_step = cutoff_plan(history.events.accounts.height)
    # A plan relaxed for a short ledger needs its cut-offs a month apart; otherwise the
    # portfolio's own plan (quarterly for a large one, spanning the seasons) stands.
    step = step_days or (min(planned_step, plan.step_days) if plan.notes else planned_step)
    last = cutoff - dt.timedelta(days=plan.horizon_days)
    start = ledger_start(history)
    earliest = None if start is None else start + dt.timedelta(days=plan.min_history_days)
    return rolling_cutoffs(
        last,
        count=count or planned_count,
        step_days=step,
        earliest=earliest,
    )


def _one_class(rows: pl.DataFrame, label: str) -> bool:
    return rows[label].drop_nulls().n_unique() < 2


def _fit_predict(
    train: pl.DataFrame, test: pl.DataFrame, label: str, *, seed: int, num_threads: int
) -> tuple[np.ndarray, np.ndarray]:
    rows = train.filter(pl.col(label).is_not_null())
    y = rows[label].to_numpy()
    model = ChurnRiskModel(seed=seed, num_threads=num_threads).fit(
        rows.select(RISK_FEATURES), y, groups=rows["cutoff"].to_numpy()
    )
    logistic = LogisticBaseline().fit(rows.select(RISK_FEATURES), y)
    features = test.select(RISK_FEATURES)
    return model.predict_proba(features), logistic.predict_proba(features)


def run_backtest(
    history: History,
    *,
    plan: HistoryPlan,
    definition: ChurnDefinition,
    scorecard: Scorecard,
    last_day: dt.date,
    truth: pl.DataFrame | None = None,
    training_count: int | None = None,
    step_days: int | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    seed: int = 7,
    num_threads: int = 0,
    progress: Progress = lambda _: None,
) -> Backtest:
    """Evaluate the model and the three baselines at the plan's cut-offs, under both labels.

    ``definition`` is used with the plan's horizon. Labelled rows are computed once per
    cut-off and shared by every fold that trains on it.
    """
    definition = replace(definition, horizon_days=plan.horizon_days)
    cache: dict[dt.date, pl.DataFrame] = {}

    def rows_at(cutoff: dt.date) -> pl.DataFrame:
        if cutoff not in cache:
            cache[cutoff] = labelled_cutoff(
                history, cutoff, definition, lookback_days=lookback_days
            )
        return cache[cutoff]

    folds, trained_on = [], {}
    cutoffs = plan.evaluation_cutoffs(last_day)
    for cutoff in cutoffs:
        training = _training_cutoffs(
            history, cutoff, plan, count=training_count, step_days=step_days
        )
        if not training:
            raise ValueError(f"no training cut-off fits before {cutoff}")
        train = pl.concat([rows_at(c) for c in training], how="vertical")
        test = rows_at(cutoff)
        scores = {}
        for label in TRAINED:
            if label != "churned" and _one_class(train, label):
                # A short or quiet history can leave the standard label without a churner
                # (or without a buyer who stayed) in the training rows: that label's model
                # and logistic scores are left out at this cut-off, the rest is reported.
                progress(
                    f"  cut-off {cutoff}: no model under the {LABELS[label]} label "
                    "(its training rows hold one outcome only)"
                )
                continue
            model, logistic = _fit_predict(train, test, label, seed=seed, num_threads=num_threads)
            scores[f"model_{label}"] = model
            scores[f"logistic_{label}"] = logistic
        known = cutoff - dt.timedelta(days=1)
        health = health_frame(history.state(known), scorecard).drop("coverage", "missing")
        fold = (
            test.select("cutoff", "account_id", "account_key", "churned", "no_order")
            .with_columns(
                pl.col("account_id").cast(pl.Int64),
                test["days_since_last_order"].alias("recency"),
                *(pl.Series(name, values) for name, values in scores.items()),
            )
            .join(health, on="account_id", how="left")
        )
        if truth is not None:
            fold = fold.join(
                truth_labels(truth, cutoff, definition.horizon_days), on="account_key", how="left"
            )
        progress(
            f"  cut-off {cutoff}: {fold.height:,} accounts; churned by the definition "
            f"{int(fold['churned'].sum()):,} of {fold['churned'].count():,}, no order in "
            f"{plan.horizon_days} days {int(fold['no_order'].sum()):,} of "
            f"{fold['no_order'].count():,} (trained on {training[0]} to {training[-1]})"
        )
        folds.append(fold)
        trained_on[cutoff] = tuple(training)
    predictions = pl.concat(folds, how="diagonal_relaxed")
    return Backtest(
        plan=plan,
        definition=definition,
        cutoffs=tuple(cutoffs),
        predictions=predictions,
        metrics=backtest_metrics(predictions),
        trained_on=trained_on,
    )


def score_columns(frame: pl.DataFrame, label: str) -> dict[str, np.ndarray]:
    """Each score of ``frame`` for ``label``, higher meaning riskier."""
    trained = label if label in TRAINED else "churned"
    health = frame["health_score"].cast(pl.Float64).fill_null(50.0).to_numpy()
    scores = {"recency": frame["recency"].cast(pl.Float64).fill_null(0.0).to_numpy()}
    for score in ("model", "logistic"):
        # Absent where no model could be trained under this label (see run_backtest).
        if f"{score}_{trained}" in frame.columns:
            scores[score] = frame[f"{score}_{trained}"].to_numpy()
    scores["health"] = 100.0 - health
    return scores


def backtest_metrics(predictions: pl.DataFrame) -> pl.DataFrame:
    """One row per (cut-off or "all", outcome, score): n, positives and the four metrics."""
    rows = []
    parts = [
        (str(cutoff), predictions.filter(pl.col("cutoff") == cutoff))
        for cutoff in predictions["cutoff"].unique().sort()
    ]
    parts.append(("all", predictions))
    for name, frame in parts:
        for label, outcome in LABELS.items():
            if label not in frame.columns:
                continue
            known = frame.filter(pl.col(label).is_not_null())
            y = known[label].to_numpy()
            if y.size == 0 or y.min() == y.max():
                continue
            for score, values in score_columns(known, label).items():
                scored = ~np.isnan(values.astype(np.float64))
                if not scored.any() or y[scored].min() == y[scored].max():
                    continue
                figures = evaluate(
                    y[scored], values[scored], probability=score in ("model", "logistic")
                )
                rows.append(
                    {"cutoff": name, "outcome": outcome, "score": score, **figures.as_dict()}
                )
    return pl.DataFrame(rows)


def rescore(frame: pl.DataFrame, scorecard: Scorecard) -> np.ndarray:
    """Health scores of backtest rows under another weighting of the same measures.

    Reads each measure's input from its ``value_<key>`` column (as :func:`health_frame`
    wrote it), so only the weights differ from the scores the run computed.
    """
    sources: dict[str, str] = {}
    for m in scorecard.measures:
        sources.setdefault(m.source, f"value_{m.key}")
    inputs = frame.select(
        pl.int_range(pl.len()).alias("_row"),
        *(pl.col(column).cast(pl.Float64).alias(source) for source, column in sources.items()),
    )
    scored = score_health(inputs, scorecard, account_col="_row")
    return scored["health_score"].cast(pl.Float64).to_numpy()


@dataclass(frozen=True)
class SuggestedWeights:
    """Suggested weights and both weightings' health figures on the same backtest rows."""

    suggestion: WeightSuggestion
    scorecard: Scorecard
    #: (outcome, weighting) → ROC-AUC of the health score, ``weighting`` current/suggested.
    roc_auc: dict[tuple[str, str], float]
    rows: int
    out_of_time: bool


def weights_from_backtest(
    result: Backtest, scorecard: Scorecard, *, version: str
) -> SuggestedWeights:
    """Learn scorecard weights from the backtest (definition label) and measure them.

    The weights offered are fitted on every fold. The figures beside them are out of time
    when there are two folds or more: each later fold is scored with weights fitted on the
    folds before it, and the current weights are measured on the same rows. With one fold
    the figures are in-sample, and :attr:`SuggestedWeights.out_of_time` says so.
    """
    frame = result.predictions
    columns = [f"score_{m.key}" for m in scorecard.measures]
    labelled = frame.filter(pl.col("churned").is_not_null())
    suggestion = suggest_weights(labelled.select(columns), labelled["churned"], scorecard)
    suggested = with_weights(scorecard, suggestion.suggested, version=version)
    cutoffs = sorted(frame["cutoff"].unique().to_list())
    parts = []
    if len(cutoffs) >= 2:
        for k, cutoff in enumerate(cutoffs[1:], start=1):
            before = labelled.filter(pl.col("cutoff") < cutoff)
            fold = frame.filter(pl.col("cutoff") == cutoff)
            try:
                learnt = suggest_weights(before.select(columns), before["churned"], scorecard)
            except ValueError:
                continue
            card = with_weights(scorecard, learnt.suggested, version=f"{version}-fold{k}")
            parts.append(fold.with_columns(pl.Series("_suggested", rescore(fold, card))))
    out_of_time = bool(parts)
    if not parts:
        parts = [frame.with_columns(pl.Series("_suggested", rescore(frame, suggested)))]
    scored = pl.concat(parts, how="vertical")
    figures: dict[tuple[str, str], float] = {}
    for label in ("churned", "no_order"):
        known = scored.filter(pl.col(label).is_not_null())
        y = known[label].to_numpy()
        if y.size == 0 or y.min() == y.max():
            continue
        for weighting, column in (("current", "health_score"), ("suggested", "_suggested")):
            values = 100.0 - known[column].cast(pl.Float64).fill_null(50.0).to_numpy()
            figures[(LABELS[label], weighting)] = evaluate(y, values).roc_auc
    return SuggestedWeights(suggestion, suggested, figures, scored.height, out_of_time)
