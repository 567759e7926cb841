"""The run's transaction model is chosen on a holdout of the installation's own ledger."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from tenure.health.clv_inputs import clv_inputs
from tenure.health.clv_model_choice import holdout_preference
from tenure.insights.clv import simulate_bgnbd
from tenure.ledger import features as ledger_features
from tenure.scoring.clv_fit_record import clv_fit_described
from tests.scoring.health_ledger import ledger, order_lines

AS_OF = dt.date(2026, 6, 30)


def simulated_lines(n: int, seed: int) -> pl.DataFrame:
    """Purchase days of ``n`` accounts from the BG/NBD story, first orders over a year."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 365, n)
    weeks = (730 - first) / 7.0
    truth = simulate_bgnbd(weeks, r=0.8, alpha=4.0, a=0.8, b=2.5, rng=rng)
    start = AS_OF - dt.timedelta(days=729)
    rows = []
    for i, (x, age) in enumerate(zip(truth["frequency"], weeks, strict=True)):
        begin = start + dt.timedelta(days=int(first[i]))
        rows.append((f"A{i}", begin, 100.0))
        # Repeat days spread over the customer's observed life (x of them, distinct days).
        days = rng.choice(
            np.arange(1, int(age * 7) + 1), size=min(int(x), int(age * 7)), replace=False
        )
        rows.extend((f"A{i}", begin + dt.timedelta(days=int(d)), 100.0) for d in days)
    return order_lines(rows)


def test_holdout_choice_names_a_model_and_its_errors() -> None:
    lines = ledger(simulated_lines(600, seed=3))
    inputs = ledger_features.to_polars(clv_inputs(lines, as_of=AS_OF))

    prefer, about = holdout_preference(lines, inputs, as_of=AS_OF)

    assert prefer in {"BG/NBD", "Pareto/NBD"}
    assert about["chosen"] == prefer
    assert about["holdout_weeks"] == 26
    assert about["calibration_end"] == (AS_OF - dt.timedelta(days=182)).isoformat()
    assert set(about["holdout_mae"]) == {"BG/NBD", "Pareto/NBD"}
    assert about["holdout_mae"][prefer] == min(about["holdout_mae"].values())
    line = clv_fit_described(
        {"model": prefer, "identified": True, "params": {}, "holdout_choice": about}
    )
    assert f"tried first: {prefer}, the better on a 26-week holdout of this ledger" in line


def test_short_history_skips_the_holdout_choice_and_says_why() -> None:
    lines = ledger(order_lines([("A", AS_OF - dt.timedelta(days=d), 10.0) for d in (0, 20, 40)]))
    inputs = ledger_features.to_polars(clv_inputs(lines, as_of=AS_OF))

    prefer, about = holdout_preference(lines, inputs, as_of=AS_OF)

    assert prefer is None
    assert "too short" in about["skipped"]
