"""Health scorecard: bands, two-level weights, missing data, serialisation, trend, threads."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.insights.health import (
    DEFAULT_HEALTH,
    Measure,
    MeasureGroup,
    Scorecard,
    health_change,
    health_inputs,
    missing_flags,
    relationship_summary,
    score_health,
)
from tenure.insights.segmentation import Thresholds

HALVES = Thresholds((1.0,), (0, 100))  # below 1 scores 0, from 1 up scores 100


def card(**kwargs: object) -> Scorecard:
    """Two groups: g (weight 3: a and b, 1 each) and h (weight 1: c)."""
    return Scorecard(
        "t",
        (
            MeasureGroup(
                "g", "G", 3, (Measure("a", "A", 1, "a", HALVES), Measure("b", "B", 1, "b", HALVES))
            ),
            MeasureGroup("h", "H", 1, (Measure("c", "C", 1, "c", HALVES),)),
        ),
        **kwargs,  # type: ignore[arg-type]
    )


def scored(rows: list[dict[str, float | None]], scorecard: Scorecard | None = None) -> dict:
    frame = pl.DataFrame(
        [{"account_id": i, **row} for i, row in enumerate(rows)],
        schema={"account_id": pl.Int64, "a": pl.Float64, "b": pl.Float64, "c": pl.Float64},
    )
    return score_health(frame, scorecard or card()).row(0, named=True)


def test_weights_nest_measures_within_groups() -> None:
    row = scored([{"a": 2.0, "b": 0.0, "c": 2.0}])
    # g: (100 + 0) / 2 = 50 at 3/4; h: 100 at 1/4.
    assert row["health_score"] == pytest.approx(62.5)
    assert row["contribution_a"] == pytest.approx(37.5)
    assert row["contribution_b"] == 0.0
    assert row["contribution_c"] == pytest.approx(25.0)


def test_a_missing_measure_hands_its_weight_to_its_group_and_is_flagged() -> None:
    row = scored([{"a": 2.0, "b": None, "c": 0.0}])
    assert row["health_score"] == pytest.approx(75.0)  # a carries all of g's 3/4
    assert row["missing"] == ["b"]
    assert row["contribution_b"] is None
    assert row["coverage"] == pytest.approx(0.625)  # b's nominal share 3/8 is missing


def test_a_group_without_data_hands_its_weight_to_the_other_groups() -> None:
    row = scored([{"a": 2.0, "b": 2.0, "c": None}])
    assert row["health_score"] == pytest.approx(100.0)
    assert row["coverage"] == pytest.approx(0.75)


def test_too_little_data_gives_no_score_rather_than_a_guess() -> None:
    row = scored([{"a": None, "b": None, "c": 2.0}], card(min_coverage=0.5))
    assert row["health_score"] is None
    assert row["contribution_c"] is None
    assert row["coverage"] == pytest.approx(0.25)


def test_nan_counts_as_missing_never_as_zero() -> None:
    row = scored([{"a": float("nan"), "b": 2.0, "c": 2.0}])
    assert row["missing"] == ["a"]
    assert row["health_score"] == pytest.approx(100.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-5, 5, allow_nan=False)), min_size=3, max_size=3))
def test_contributions_always_sum_to_the_score(values: list[float | None]) -> None:
    row = scored([dict(zip("abc", values, strict=True))], card(min_coverage=0.0))
    parts = [row[f"contribution_{k}"] for k in "abc" if row[f"contribution_{k}"] is not None]
    if row["health_score"] is None:
        assert all(v is None for v in values)
    else:
        assert sum(parts) == pytest.approx(row["health_score"])
        assert 0 <= row["health_score"] <= 100


def test_default_scorecard_survives_json_and_reads_its_settings() -> None:
    data = json.loads(json.dumps(DEFAULT_HEALTH.to_dict()))
    assert Scorecard.from_dict(data) == DEFAULT_HEALTH
    assert sum(DEFAULT_HEALTH.nominal_shares().values()) == pytest.approx(1.0)
    assert DEFAULT_HEALTH.cadence == {"A": 3, "B": 2, "C": 1}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"groups": []}, "at least one"),
        ({"severity_weights": {"low": 1}}, "severity_weights"),
        ({"window_days": 0}, "window_days"),
        ({"min_coverage": 2}, "min_coverage"),
        ({"colour": "red"}, "unknown"),
    ],
)
def test_invalid_scorecards_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Scorecard.from_dict({**DEFAULT_HEALTH.to_dict(), **change})


def test_repeated_keys_are_refused() -> None:
    measure = Measure("a", "A", 1, "a", HALVES)
    with pytest.raises(ValueError, match="unique"):
        Scorecard("t", (MeasureGroup("g", "G", 1, (measure, measure)),))


def test_inputs_relate_recency_to_the_usual_interval_and_cadence_to_the_tier() -> None:
    frame = pl.DataFrame(
        {
            "account_id": [1, 2],
            "days_since_last_order": [60, 10],
            "median_interval_days": [20.0, None],
            "strategic_recent": [1.0, 2.0],
            "tier": ["A", "Z"],
            "open_low": [1.0, 0.0],
            "open_medium": [0.0, 0.0],
            "open_high": [1.0, 0.0],
            "open_critical": [0.0, 0.0],
        }
    )
    derived = health_inputs(frame, DEFAULT_HEALTH)
    # Account 2 has one order day: the portfolio's usual interval (20 days) stands in.
    assert derived["recency_ratio"].to_list() == [3.0, 0.5]
    assert derived["cadence_ratio"].to_list() == [pytest.approx(1 / 3), None]  # tier Z: none
    assert derived["open_issue_weight"].to_list() == [5.0, 0.0]  # low 1 + high 4


def test_a_one_time_buyer_is_judged_on_silence_not_on_bgnbd_certainty() -> None:
    # BG/NBD gives P(alive) = 1 to every account without a repeat purchase day; on a
    # one-year retail log those are the likeliest to lapse, so that 1 must not count as
    # health. Their silence is measured against the portfolio's usual interval instead.
    frame = pl.DataFrame(
        {
            "account_id": [1, 2, 3, 4],
            "days_since_last_order": [10.0, 30.0, 200.0, 5.0],
            "median_interval_days": [20.0, 40.0, None, None],
            "probability_alive": [0.9, 1.0, 1.0, 0.6],
        }
    )
    derived = health_inputs(frame, DEFAULT_HEALTH)
    assert derived["recency_ratio"].to_list() == [0.5, 0.75, 200 / 30, 5 / 30]
    # A repeat buyer's 1 is kept, a one-day account's 1 is not; a Pareto/NBD-style value
    # below 1 for a one-day account is evidence and is kept.
    assert derived["probability_alive"].to_list() == [0.9, 1.0, None, 0.6]
    sources = {m.source for m in DEFAULT_HEALTH.measures}
    derived = derived.with_columns(
        pl.lit(None, pl.Float64).alias(s) for s in sources if s not in derived.columns
    )
    scores = score_health(derived, DEFAULT_HEALTH)["health_score"].to_list()
    assert scores[2] < scores[0]  # long-silent one-time buyer below a buyer on rhythm
    assert scores[2] == 0.0


def test_without_any_interval_in_the_portfolio_recency_stays_unknown() -> None:
    frame = pl.DataFrame(
        {
            "account_id": [1, 2],
            "days_since_last_order": [10.0, None],
            "median_interval_days": [None, None],
        }
    )
    derived = health_inputs(frame, DEFAULT_HEALTH)
    assert derived["recency_ratio"].to_list() == [None, None]


def test_flags_say_which_measure_is_missing_and_why() -> None:
    flags = missing_flags(["nps", "overdue_actions"], DEFAULT_HEALTH)
    assert flags[0] == {
        "measure": "nps",
        "label": "Latest NPS",
        "reason": "no survey answers that can be shown",
    }


def test_health_change_names_the_measures_that_moved_most() -> None:
    change = health_change(
        55.0,
        {"tone": 0.0, "cadence": 9.0, "decision_makers": 10.0},
        70.0,
        {"tone": 10.0, "cadence": 14.0, "decision_makers": 10.0},
        current_version="health-2",
        previous_version="health-1",
    )
    assert change.change == -15.0
    assert change.movers == (("tone", -10.0), ("cadence", -5.0))
    assert change.version_changed


def test_relationship_summary_counts_people_decision_makers_and_threads() -> None:
    meetings = pl.DataFrame(
        {
            "account_id": [1, 1, 1, 1, 2],
            "interaction_id": [10, 10, 11, 12, 20],
            "contact_id": [100, 101, 100, 100, 200],
            "user_id": [7, 7, 8, None, 7],
            "is_decision_maker": [True, False, True, True, False],
        }
    )
    summary = relationship_summary(meetings).rows_by_key("account_id", named=True)
    first = summary[1][0]
    assert (first["engaged_contacts"], first["decision_makers_engaged"], first["threads"]) == (
        2,
        1,
        3,  # (7, 100), (7, 101), (8, 100)
    )
    assert first["top_contact_share"] == pytest.approx(1.0)  # contact 100 was at all three
    assert summary[2][0]["threads"] == 1
