"""Seasonal profiles, peaks and strength of seasonality (tenure.insights.seasonality)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenure.demo.world import SEASON_PROFILES
from tenure.insights.seasonality import (
    MonthlyPanel,
    decompose,
    monthly_panel,
    panel_from_series,
    peak_windows,
    seasonal_profile,
)

JAN_2022 = dt.date(2022, 1, 1)


def _series(profile: np.ndarray, months: int, *, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Revenue with a multiplicative profile, 1 %/month growth and multiplicative noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    return 1000 * profile[t % 12] * 1.01**t * (1 + rng.normal(0, noise, months))


def _panel(*rows: np.ndarray, first: dt.date = JAN_2022) -> MonthlyPanel:
    return MonthlyPanel(list(range(len(rows))), first, np.vstack(rows))


def test_long_frame_becomes_a_panel_with_gaps_as_zero_and_nan_before_the_first_sale():
    frame = pl.DataFrame(
        {
            "account_id": ["b", "a", "a", "a", "b"],
            "month": [
                dt.date(2022, 3, 15),
                dt.date(2022, 1, 1),
                dt.date(2022, 1, 20),
                dt.date(2022, 4, 2),
                dt.date(2022, 4, 1),
            ],
            "revenue": [5.0, 1.0, 2.0, 4.0, 6.0],
        }
    )
    panel = monthly_panel(frame)
    assert panel.account_ids == ["a", "b"]
    assert panel.first_month == JAN_2022
    assert panel.months == 4
    np.testing.assert_array_equal(panel.values[0], [3.0, 0.0, 0.0, 4.0])
    np.testing.assert_array_equal(panel.values[1], [np.nan, np.nan, 5.0, 6.0])
    assert panel.history_months.tolist() == [4, 2]


def test_panel_refuses_a_frame_without_the_revenue_column():
    with pytest.raises(ValueError, match="missing column"):
        monthly_panel(pl.DataFrame({"account_id": [1], "month": [JAN_2022]}))


def test_panel_from_series_aligns_different_first_months_and_drops_months_after_the_cut():
    panel = panel_from_series(
        [7, 8],
        [dt.date(2022, 1, 1), dt.date(2022, 3, 1)],
        [[1, 2, 3, 4], [0, 5, 6]],
        last_month=dt.date(2022, 4, 1),
    )
    assert panel.months == 4
    np.testing.assert_array_equal(panel.values[0], [1, 2, 3, 4])
    # Leading zeros mean "not a customer yet", not "bought nothing".
    np.testing.assert_array_equal(panel.values[1], [np.nan, np.nan, np.nan, 5])


def test_noiseless_seasonal_revenue_gives_back_its_profile_and_full_strength():
    truth = SEASON_PROFILES["christmas"] / SEASON_PROFILES["christmas"].mean()
    parts = decompose(_panel(_series(SEASON_PROFILES["christmas"], 36)))
    # The 1 %/month growth leaves a small bias where the trend is carried out to the ends.
    np.testing.assert_allclose(parts.indices[0], truth, atol=0.03)
    assert parts.strength[0] > 0.99


def test_noiseless_seasonal_revenue_without_growth_gives_back_its_exact_profile():
    flat = 1000 * np.tile(SEASON_PROFILES["summer"], 3)
    parts = decompose(_panel(flat))
    np.testing.assert_allclose(parts.indices[0], SEASON_PROFILES["summer"] / 1.0, atol=1e-9)


@pytest.mark.parametrize(
    ("season", "label"),
    [
        ("christmas", "August–October"),
        ("school_year", "July–August"),
        ("summer", "May–July"),
        ("year_end_budget", "November–December"),
    ],
)
def test_demo_profiles_peak_where_the_simulator_put_them(season, label):
    profile = seasonal_profile(_panel(_series(SEASON_PROFILES[season], 36, noise=0.05)))
    assert profile["peak_label"][0] == label
    assert profile["is_seasonal"][0]


def test_a_peak_over_the_new_year_is_one_window():
    indices = [1.8, 1.2, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.0, 1.6]
    (window,) = peak_windows(indices)
    assert window.months == (12, 1)
    assert window.label == "December–January"
    assert window.next_start(dt.date(2026, 12, 2)) == dt.date(2027, 12, 1)
    assert window.next_start(dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)


def test_two_peaks_come_highest_first_and_a_flat_profile_has_none():
    indices = [0.7, 0.7, 1.5, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 2.0, 0.7, 0.7]
    assert [w.label for w in peak_windows(indices)] == ["October", "March"]
    assert peak_windows([1.0] * 12) == []
    assert peak_windows([np.nan] * 12) == []
    with pytest.raises(ValueError, match="12 indices"):
        peak_windows([1.0] * 11)


def test_under_24_months_is_flagged_and_gets_no_profile():
    profile = seasonal_profile(
        _panel(
            _series(SEASON_PROFILES["summer"], 36),
            np.r_[np.full(13, np.nan), _series(SEASON_PROFILES["summer"], 23)],
        )
    )
    assert profile["short_history"].to_list() == [False, True]
    assert profile["months"].to_list() == [36, 23]
    assert profile["indices"][1] is None
    assert profile["strength"][1] is None
    assert not profile["is_seasonal"][1]


def test_noise_scores_near_zero_when_adjusted_but_near_half_in_the_textbook_formula():
    # Twelve monthly means explain 11/23 of pure noise at 24 months by chance alone; the
    # degrees-of-freedom adjustment removes that, so a threshold means the same at any length.
    rng = np.random.default_rng(42)
    noise = MonthlyPanel(list(range(2000)), JAN_2022, 1000 + rng.normal(0, 100, (2000, 24)))
    assert np.median(decompose(noise).strength) < 0.1
    assert np.median(decompose(noise, adjusted=False).strength) == pytest.approx(0.48, abs=0.06)


def test_strength_agrees_with_statsmodels_stl_on_seasonal_series():
    # Reference: F_S = 1 − Var(R)/Var(S + R) (Wang, Smith & Hyndman 2006; FPP3 §4.3) from
    # statsmodels' STL (0.15.0) on log revenue, with a long seasonal window (a nearly fixed
    # pattern, like the classical decomposition's). Averaged over eight noisy series.
    from statsmodels.tsa.seasonal import STL

    ours, reference = [], []
    for seed in range(8):
        y = _series(SEASON_PROFILES["christmas"], 60, noise=0.15, seed=seed)
        stl = STL(np.log(y), period=12, seasonal=61).fit()
        reference.append(1 - np.var(stl.resid) / np.var(stl.seasonal + stl.resid))
        ours.append(decompose(_panel(y), adjusted=False).strength[0])
    assert np.mean(ours) == pytest.approx(np.mean(reference), abs=0.03)


def test_a_year_without_revenue_in_the_middle_does_not_break_the_profile():
    y = _series(SEASON_PROFILES["school_year"], 48, noise=0.05)
    y[18:31] = 0.0
    parts = decompose(_panel(y))
    assert np.isfinite(parts.indices[0]).all()
    assert 0 <= parts.strength[0] <= 1
    assert (parts.indices[0] >= 0).all()


def test_profile_frame_has_one_row_per_account_with_its_columns():
    profile = seasonal_profile(
        _panel(
            _series(SEASON_PROFILES["none"], 36, noise=0.1), _series(SEASON_PROFILES["summer"], 36)
        )
    )
    assert profile.columns == [
        "account_id",
        "months",
        "short_history",
        "strength",
        "is_seasonal",
        "indices",
        "peak_month",
        "peak_months",
        "peak_label",
    ]
    assert profile["is_seasonal"].to_list() == [False, True]
    assert profile["peak_months"][1].to_list() == [5, 6, 7]
    assert sum(profile["indices"][1]) == pytest.approx(12.0, abs=1e-4)


@given(
    st.lists(
        st.lists(st.sampled_from([0.4, 0.7, 1.0, 1.3, 1.6, 1.6, 2.2]), min_size=12, max_size=12),
        min_size=1,
        max_size=40,
    )
)
def test_the_main_peak_of_many_rows_is_each_rows_first_peak_window(rows):
    """Patterns worked out once must give what ``peak_windows`` gives row by row (ties too:
    the values are drawn from a few levels so equal maxima are common)."""
    from tenure.insights.seasonality.profile import _main_peaks

    matrix = np.array(rows, dtype=np.float64)
    matrix[::7, 3] = np.nan  # some rows without a profile
    valid = np.isfinite(matrix).all(axis=1)
    peaks = _main_peaks(matrix, valid, 0.5)
    peak_month, peak_months, labels = (peaks[c].to_list() for c in peaks.columns)
    for i, row in enumerate(matrix):
        if not valid[i]:
            assert (peak_month[i], peak_months[i], labels[i]) == (None, None, None)
            continue
        windows = peak_windows(row)
        first = windows[0] if windows else None
        assert peak_month[i] == (first.peak_month if first else None)
        assert peak_months[i] == (list(first.months) if first else [])
        assert labels[i] == (first.label if first else None)


def test_rows_with_the_same_high_months_keep_their_own_peak_month():
    from tenure.insights.seasonality.profile import _main_peaks

    base = [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.6, 1.6, 1.6, 0.8, 0.8]
    august, september = list(base), list(base)
    august[7], september[8] = 2.2, 2.2
    tie = list(base)
    tie[7] = tie[9] = 2.2
    matrix = np.array([august, september, tie])
    peaks = _main_peaks(matrix, np.ones(3, dtype=bool), 0.5)
    peak_month, peak_months = peaks["peak_month"].to_list(), peaks["peak_months"].to_list()
    assert peak_month == [8, 9, 8]
    assert peak_months == [[8, 9, 10]] * 3
