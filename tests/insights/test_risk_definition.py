"""The churn definition: silence against the usual interval, revenue drop, eligibility."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tenure.insights.risk import ChurnDefinition, churn_labels, churned_as_of

DAY = dt.date(2026, 1, 1)


def features(rows: list[dict[str, object]]) -> pl.DataFrame:
    defaults = {
        "last_order_date": DAY,
        "days_since_last_order": 10,
        "median_interval_days": 30.0,
        "revenue_t12m": 100.0,
        "revenue_prev12m": 100.0,
    }
    return pl.DataFrame([{**defaults, **row} for row in rows])


def test_silence_beyond_k_usual_intervals_is_churn() -> None:
    frame = features(
        [
            {"account_key": "monthly", "median_interval_days": 30.0, "days_since_last_order": 95},
            {"account_key": "slower", "median_interval_days": 40.0, "days_since_last_order": 95},
        ]
    )
    # Limits: max(3 × 30, 90) = 90 < 95 days; max(3 × 40, 90) = 120 > 95 days.
    assert churned_as_of(frame)["churned"].to_list() == [True, False]


def test_the_floor_keeps_frequent_buyers_from_churning_after_a_short_break() -> None:
    frame = features(
        [{"account_key": "daily", "median_interval_days": 1.0, "days_since_last_order": 40}]
    )
    assert churned_as_of(frame, ChurnDefinition(min_silence_days=90))["churned"][0] is False
    assert churned_as_of(frame, ChurnDefinition(min_silence_days=30))["churned"][0] is True


def test_revenue_down_by_more_than_the_share_is_churn_and_the_rule_can_be_switched_off() -> None:
    frame = features([{"account_key": "a", "revenue_t12m": 40.0, "revenue_prev12m": 100.0}])
    assert churned_as_of(frame)["declined"][0] is True
    assert churned_as_of(frame, ChurnDefinition(revenue_drop=None))["churned"][0] is False


def test_an_account_with_one_order_day_uses_the_fallback_interval() -> None:
    frame = features(
        [{"account_key": "new", "median_interval_days": None, "days_since_last_order": 170}]
    )
    # Fallback 60 days × 3 = 180 > 170: not yet.
    assert churned_as_of(frame)["churned"][0] is False


def test_labels_cover_only_accounts_eligible_at_the_cutoff() -> None:
    at_cutoff = features(
        [
            {"account_key": "stays", "days_since_last_order": 5},
            {"account_key": "leaves", "days_since_last_order": 5},
            {"account_key": "gone", "days_since_last_order": 200},
        ]
    )
    at_horizon = features(
        [
            {"account_key": "stays", "days_since_last_order": 3},
            {"account_key": "leaves", "days_since_last_order": 185},
            {"account_key": "gone", "days_since_last_order": 380},
        ]
    )
    labels = churn_labels(at_cutoff, at_horizon).sort("account_key")
    assert labels["account_key"].to_list() == ["leaves", "stays"]
    assert labels["churned"].to_list() == [True, False]


def test_labels_judge_silence_against_the_interval_known_at_the_cutoff() -> None:
    at_cutoff = features([{"account_key": "a", "median_interval_days": 50.0}])
    # By the horizon the interval looks longer only because the account went quiet.
    at_horizon = features(
        [{"account_key": "a", "median_interval_days": 400.0, "days_since_last_order": 160}]
    )
    assert churn_labels(at_cutoff, at_horizon)["churned"][0] is True


def test_definition_round_trips_and_validates() -> None:
    definition = ChurnDefinition(interval_multiple=2.5, revenue_drop=0.4, horizon_days=120)
    assert ChurnDefinition.from_dict(definition.to_dict()) == definition
    with pytest.raises(ValueError, match="revenue_drop"):
        ChurnDefinition(revenue_drop=1.5)
    with pytest.raises(ValueError, match="horizon_days"):
        ChurnDefinition(horizon_days=0)
    with pytest.raises(ValueError, match="unknown"):
        ChurnDefinition.from_dict({"k": 3})
