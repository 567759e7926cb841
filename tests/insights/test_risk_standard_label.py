"""The standard churn label and the plan that fits settings to a short ledger."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tenure.insights.backtest import leakage_warnings
from tenure.insights.risk import HistoryPlan, no_order_labels, plan_for_history

CUT = dt.date(2025, 7, 1)


def frame(rows: dict[str, dt.date | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"account_key": list(rows), "last_order_date": list(rows.values())},
        schema={"account_key": pl.String, "last_order_date": pl.Date},
    )


def test_no_order_label_counts_an_order_on_the_cut_off_day_and_skips_lapsed_buyers() -> None:
    before = frame(
        {
            "on_cut_day": dt.date(2025, 6, 30),
            "silent": dt.date(2025, 3, 1),
            "year_edge": CUT - dt.timedelta(days=365),
            "lapsed": CUT - dt.timedelta(days=366),
            "never": None,
        }
    )
    after = frame(
        {
            "on_cut_day": CUT,  # an order on the cut-off day is in the horizon
            "silent": dt.date(2025, 3, 1),
            "year_edge": dt.date(2025, 9, 1),
            "lapsed": dt.date(2025, 8, 1),
            "never": None,
        }
    )
    labels = no_order_labels(before, after, cutoff=CUT)
    assert dict(labels.iter_rows()) == {"on_cut_day": 0, "silent": 1, "year_edge": 0}


def test_no_order_label_takes_an_account_missing_later_as_silent() -> None:
    labels = no_order_labels(frame({"a": dt.date(2025, 6, 1)}), frame({}), cutoff=CUT)
    assert labels.rows() == [("a", 1)]


def test_no_order_label_refuses_a_frame_without_the_last_order_date() -> None:
    with pytest.raises(ValueError, match=r"at_horizon.*last_order_date"):
        no_order_labels(frame({}), pl.DataFrame({"account_key": ["a"]}), cutoff=CUT)
    with pytest.raises(ValueError, match="lookback_days"):
        no_order_labels(frame({}), frame({}), cutoff=CUT, lookback_days=0)


def test_plan_keeps_the_configured_settings_when_the_ledger_allows_them() -> None:
    plan = plan_for_history(dt.date(2023, 1, 1), dt.date(2025, 12, 31), horizon_days=180)
    assert plan == HistoryPlan(180, 180, 4, 90, 30, ())
    assert plan.evaluation_cutoffs(dt.date(2025, 12, 31)) == [
        dt.date(2024, 10, 8),
        dt.date(2025, 1, 6),
        dt.date(2025, 4, 6),
        dt.date(2025, 7, 5),
    ]


def test_plan_for_one_year_gives_way_in_order_and_says_so() -> None:
    plan = plan_for_history(dt.date(2025, 1, 1), dt.date(2025, 12, 31), horizon_days=180)
    assert (plan.horizon_days, plan.min_history_days, plan.folds) == (120, 90, 1)
    assert plan.needed_days() <= 365
    assert any("120-day horizon instead of 180" in n for n in plan.notes)
    assert any("1 fold(s) instead of 4" in n for n in plan.notes)
    # Training alone (tenure score) keeps the horizon: only the minimum history gives way.
    training = plan_for_history(
        dt.date(2025, 1, 1), dt.date(2025, 12, 31), horizon_days=180, folds=0
    )
    assert (training.horizon_days, training.min_history_days) == (180, 90)


@pytest.mark.parametrize("days", [180, 200, 270, 365, 400, 500, 700, 900])
def test_a_chosen_plan_always_fits_its_ledger(days: int) -> None:
    first = dt.date(2024, 1, 1)
    last = first + dt.timedelta(days=days - 1)
    plan = plan_for_history(first, last, horizon_days=180)
    assert plan.needed_days() <= days
    cutoffs = plan.evaluation_cutoffs(last)
    assert cutoffs[-1] + dt.timedelta(days=plan.horizon_days - 1) == last
    # The first fold's training cut-offs still have their minimum history.
    first_training = cutoffs[0] - dt.timedelta(days=plan.horizon_days + plan.step_days)
    assert (first_training - first).days >= plan.min_history_days


def test_plan_refuses_a_ledger_too_short_even_for_the_floors_naming_the_days() -> None:
    with pytest.raises(ValueError, match=r"holds 100 days.*needs 180"):
        plan_for_history(dt.date(2025, 1, 1), dt.date(2025, 4, 10), horizon_days=180)


def test_leakage_warning_names_only_scores_above_the_threshold_on_the_standard_label() -> None:
    metrics = pl.DataFrame(
        {
            "cutoff": ["all", "all", "all", "2025-01-01"],
            "outcome": ["no_order", "no_order", "definition", "no_order"],
            "score": ["model", "recency", "model", "logistic"],
            "roc_auc": [0.93, 0.80, 0.97, 0.99],
        }
    )
    warnings = leakage_warnings(metrics)
    assert len(warnings) == 1
    assert warnings[0].startswith("model reaches ROC-AUC 0.930")
    assert "suspected leakage" in warnings[0]


def test_leakage_warning_explains_a_label_that_recency_alone_foretells() -> None:
    metrics = pl.DataFrame(
        {
            "cutoff": ["all", "all"],
            "outcome": ["no_order", "no_order"],
            "score": ["model", "recency"],
            "roc_auc": [0.98, 0.95],
        }
    )
    warnings = leakage_warnings(metrics)
    assert len(warnings) == 3
    assert warnings[-1].startswith("recency alone reaches 0.950")
    assert leakage_warnings(metrics.with_columns(pl.lit(0.8).alias("roc_auc"))) == []
