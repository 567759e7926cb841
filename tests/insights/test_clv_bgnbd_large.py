"""BG/NBD on many customers: the sample-started Newton fit lands where L-BFGS-B does."""

from __future__ import annotations

import numpy as np
import pytest

from tenure.insights.clv import BetaGeoFitter, simulate_bgnbd
from tenure.insights.clv import bgnbd as bgnbd_module
from tenure.insights.clv.bgnbd import _distinct_histories


def test_large_fit_matches_plain_lbfgsb_to_1e_6(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2024)
    T = rng.integers(1, 731, 250_000) / 7.0
    data = simulate_bgnbd(T, rng=rng, r=0.243, alpha=4.414, a=0.793, b=2.426)
    history = (data["frequency"], np.floor(data["recency"].to_numpy() * 7) / 7, T)

    fast = BetaGeoFitter().fit(*history)
    monkeypatch.setattr(bgnbd_module, "_WARM_START_ABOVE", 10**9)
    plain = BetaGeoFitter().fit(*history)

    np.testing.assert_allclose(fast.params_, plain.params_, rtol=1e-6)
    assert fast.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-6)
    # The Newton path is deterministic: a refit is bit-identical.
    monkeypatch.undo()
    assert np.array_equal(BetaGeoFitter().fit(*history).params_, fast.params_)


def test_distinct_histories_are_sorted_rows_with_counts() -> None:
    x = np.array([2.0, 0.0, 2.0, 1.0, 2.0])
    t_x = np.array([3.0, 0.0, 3.0, 1.5, 1.0])
    T = np.array([5.0, 4.0, 5.0, 4.0, 5.0])

    rx, rt, rT, weight = _distinct_histories(x, t_x, T)

    assert rx.tolist() == [0.0, 1.0, 2.0, 2.0]
    assert rt.tolist() == [0.0, 1.5, 1.0, 3.0]
    assert rT.tolist() == [4.0, 4.0, 5.0, 5.0]
    assert weight.tolist() == [1.0, 1.0, 1.0, 2.0]
