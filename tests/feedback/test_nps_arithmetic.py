"""NPS arithmetic (``tenure.insights.nps``) against hand computations.

The interval formulas are those of Rocks (2016), "Interval Estimation for the 'Net
Promoter Score'", The American Statistician 70(4): Wald with the multinomial variance
(p + d − (p − d)²)/n, and the adjusted Wald adding ¾ promoter, ¾ detractor and 1½ passive.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenure.insights.nps import classify, item_summary, nps, response_rate

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal

# Ten answers: 5 promoters (9, 9, 9, 10, 10), 2 passives (7, 8), 3 detractors (0, 3, 6).
SAMPLE = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]


def test_nps_of_a_known_sample_is_promoters_minus_detractors():
    result = nps(SAMPLE)
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 5, 2, 3)
    assert result.score == pytest.approx(20.0)  # 50 % − 30 %


def test_wald_interval_matches_a_hand_computation():
    # p = 0.5, d = 0.3: Var = (0.5 + 0.3 − 0.2²) / 10 = 0.076; SE = 0.275681
    # half width = 1.959964 × 0.275681 = 0.540325 → 20 ± 54.03
    result = nps(SAMPLE, method="wald")
    half = Z95 * math.sqrt(0.076)
    assert half == pytest.approx(0.540325, abs=1e-6)
    assert result.low == pytest.approx(-34.0325, abs=1e-3)
    assert result.high == pytest.approx(74.0325, abs=1e-3)
    assert result.margin == pytest.approx(54.0325, abs=1e-3)


def test_adjusted_wald_interval_matches_a_hand_computation():
    # n' = 13, p' = 5.75/13 = 0.442308, d' = 3.75/13 = 0.288462, centre = 2/13 = 0.153846
    # Var = (0.730769 − 0.153846²) / 13 = 0.707101 / 13 = 0.054392; SE = 0.233222
    # half width = 1.959964 × 0.233222 = 0.457107 → [−30.33, 61.10]
    result = nps(SAMPLE)
    assert result.method == "adjusted_wald"
    assert result.score == pytest.approx(20.0)  # the point estimate is not adjusted
    assert result.low == pytest.approx(-30.326, abs=1e-2)
    assert result.high == pytest.approx(61.095, abs=1e-2)
    assert result.high - result.low == pytest.approx(2 * 45.7107, abs=1e-2)


def test_a_99_percent_interval_is_wider():
    assert nps(SAMPLE, confidence=0.99).margin > nps(SAMPLE).margin


def test_all_promoters_scores_100_and_only_the_adjusted_interval_has_width():
    wald = nps([9, 10, 10], method="wald")
    assert wald.score == 100.0
    assert wald.low == wald.high == 100.0
    # n' = 6, p' = 3.75/6, d' = 0.75/6, centre 0.5, Var = (0.75 − 0.25)/6, half = 0.565792:
    # [−6.58, 106.58] clipped to 100. Three answers tell little.
    adjusted = nps([9, 10, 10])
    assert adjusted.low == pytest.approx(-6.579, abs=1e-2)
    assert adjusted.high == 100.0


def test_no_answers_gives_no_score():
    result = nps([])
    assert result.n == 0
    assert result.score is None
    assert result.low is None
    assert result.margin is None


@pytest.mark.parametrize(
    ("score", "group"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter")],
)
def test_classify_boundaries(score, group):
    assert classify(score) == group


@pytest.mark.parametrize("bad", [-1, 11, 7.5, True, "9"])
def test_scores_outside_the_scale_are_refused(bad):
    with pytest.raises(ValueError, match="an NPS answer must"):
        nps([bad])


def test_bad_confidence_and_method_are_refused():
    with pytest.raises(ValueError, match="confidence"):
        nps(SAMPLE, confidence=1.0)
    with pytest.raises(ValueError, match="method"):
        nps(SAMPLE, method="bootstrap")  # type: ignore[arg-type]


def test_item_summary_and_response_rate():
    assert item_summary([4, 5, 3]).mean == pytest.approx(4.0)
    assert item_summary([]).mean is None
    assert response_rate(invited=8, answered=2).rate == pytest.approx(0.25)
    assert response_rate(invited=0, answered=0).rate is None
    with pytest.raises(ValueError, match="2 answers cannot come from 1 invitations"):
        response_rate(invited=1, answered=2)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300))
def test_bounds_stay_on_the_scale_and_wald_contains_the_score(scores):
    for method in ("wald", "adjusted_wald"):
        result = nps(scores, method=method)
        assert -100.0 <= result.low <= result.high <= 100.0
        assert -100.0 <= result.score <= 100.0
    wald = nps(scores, method="wald")
    assert wald.low - 1e-9 <= wald.score <= wald.high + 1e-9
