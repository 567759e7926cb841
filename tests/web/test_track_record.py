"""The page "How good are our scores?" and the portfolio's CLV fit label (issue 17, item 10)."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from django.core.management import call_command

from tenure.access.choices import Role
from tenure.health.backtest_figures import calibration_figure, lift_figure
from tenure.health.backtest_records import (
    backtest_record_save,
    latest_backtests,
    risk_model_label,
)
from tenure.health.backtest_run import backtest_metrics
from tenure.health.models import BacktestRecord
from tenure.health.services import health_scorecard_current
from tenure.scoring import run as scoring_run_module
from tenure.scoring.clv_fit_record import clv_fit_label
from tests.accounts.factories import AccountFactory
from tests.api.conftest import make_user
from tests.health.test_backtest_labels import END, one_year_lines
from tests.scoring.health_ledger import ledger_connection
from tests.scoring.test_scoring_run import AS_OF, features_for, monthly_for, score_frames

pytestmark = pytest.mark.django_db

#: A fit summary as ``TransactionFit.summary()`` stores it on the run (CDNOW's published
#: Pareto/NBD estimates, Fader, Hardie & Lee 2005, as the parameters).
IDENTIFIED = {
    "model": "Pareto/NBD",
    "fallback": False,
    "identified": True,
    "reasons": [],
    "repeat_buyers": 946,
    "log_likelihood": -9595.0,
    "params": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "standard_errors": {"r": 0.048, "alpha": 0.844, "s": 0.189, "beta": 6.922},
    "tried": {"BG/NBD": {"identified": True, "reasons": []}},
    "holdout_choice": {
        "chosen": "Pareto/NBD",
        "holdout_weeks": 39,
        "holdout_mae": {"BG/NBD": 0.612, "Pareto/NBD": 0.598},
    },
}
FALLBACK = {
    "model": "BG/NBD MAP (normal priors, sd 1 on log-parameters)",
    "fallback": True,
    "identified": True,
    "reasons": [],
    "params": {"r": 0.9, "alpha": 30.0, "a": 0.4, "b": 2.1},
    "standard_errors": {"r": 0.1, "alpha": 3.0, "a": 0.2, "b": 0.9},
    "tried": {
        "BG/NBD": {"identified": False, "reasons": ["a at the no-dropout boundary (0.0034)"]},
        "Pareto/NBD": {"identified": False, "reasons": ["s at its boundary (0)"]},
    },
}


def simulated_predictions(seed: int = 3, n: int = 400) -> pl.DataFrame:
    """Two cut-offs of scored accounts whose churn follows the risk score (so metrics vary)."""
    rng = np.random.default_rng(seed)
    risk = rng.uniform(0.02, 0.9, n)
    churned = rng.uniform(size=n) < risk
    no_order = churned | (rng.uniform(size=n) < 0.1)
    return pl.DataFrame(
        {
            "cutoff": [dt.date(2026, 3, 1)] * (n // 2) + [dt.date(2026, 6, 1)] * (n - n // 2),
            "churned": churned,
            "no_order": no_order,
            "model_churned": risk,
            "model_no_order": np.clip(risk + 0.05, 0, 1),
            "logistic_churned": np.clip(risk + rng.normal(0, 0.2, n), 0.01, 0.99),
            "logistic_no_order": np.clip(risk + rng.normal(0, 0.2, n), 0.01, 0.99),
            "recency": (risk * 200 + rng.normal(0, 40, n)).round(),
            "health_score": np.clip(100 - risk * 80 + rng.normal(0, 20, n), 0, 100),
        }
    )


def store_backtest(folder: Path, *, scorecard: str = "v1", as_of: dt.date = dt.date(2026, 9, 1)):
    predictions = simulated_predictions()
    figures = predictions.with_columns(
        pl.col("model_churned").alias("risk"),
        pl.col("logistic_churned").alias("logistic"),
        pl.col("recency").alias("days_since_last_order"),
    )
    return backtest_record_save(
        as_of=as_of,
        scorecard_version=scorecard,
        model_version="lgbm-test",
        plan={"folds": 2, "every_days": 90, "horizon_days": 90, "min_history_days": 180},
        metrics=backtest_metrics(predictions),
        calibration_png=calibration_figure(figures, folder / "calibration.png"),
        lift_png=lift_figure(figures, folder / "lift.png"),
    )


def scored_run(clv_fit: dict):
    run = score_frames(
        as_of=AS_OF,
        features=features_for({"K1": 500_000.0, "K2": 90_000.0, "K3": 20_000.0}),
        monthly=monthly_for({"K1": 500_000.0, "K2": 90_000.0, "K3": 20_000.0}),
    )
    run.clv_fit = clv_fit
    run.save(update_fields=["clv_fit"])
    return run


def test_a_director_sees_the_stored_backtest_against_its_baselines(client, tmp_path):
    record = store_backtest(tmp_path)
    scored_run(IDENTIFIED)
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get("/portfolio/track-record/").content.decode()

    pooled = {(row["outcome"], row["score"]): row for row in record.metrics}
    # Both labels, all four scores, the stored figures themselves.
    assert {outcome for outcome, _ in pooled} == {"definition", "no_order"}
    assert {score for _, score in pooled} == {"model", "logistic", "recency", "health"}
    for label in ("Risk model", "Logistic regression", "Recency alone", "Health score"):
        assert label in page
    model = pooled[("no_order", "model")]
    assert f"{model['roc_auc']:.3f}" in page
    assert f"{model['pr_auc']:.3f}" in page
    assert f"{model['top_decile_lift']:.2f}" in page
    assert f"{model['brier']:.4f}" in page
    assert f"{pooled[('definition', 'recency')]['roc_auc']:.3f}" in page
    assert base64.b64encode(bytes(record.calibration_png)).decode() in page
    assert base64.b64encode(bytes(record.lift_png)).decode() in page
    assert bytes(record.calibration_png).startswith(b"\x89PNG")
    # The CLV fit in use, with standard errors and the holdout choice.
    assert "CLV (Pareto/NBD, identified)" in page
    assert "10.5780" in page
    assert "0.8440" in page
    assert "39-week holdout" in page


def test_an_analyst_sees_the_page_and_a_manager_is_refused(client, tmp_path):
    store_backtest(tmp_path)
    client.force_login(make_user(Role.ANALYST))
    assert client.get("/portfolio/track-record/").status_code == 200
    client.force_login(make_user(Role.KEY_ACCOUNT_MANAGER))
    assert client.get("/portfolio/track-record/").status_code == 403


def test_before_any_backtest_the_page_says_how_to_run_one(client):
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get("/portfolio/track-record/").content.decode()
    assert "No backtest was run yet" in page
    assert "tenure backtest" in page
    assert "No scoring run has recorded a CLV fit yet" in page


def test_the_page_shows_the_latest_backtest_of_each_scorecard_version(tmp_path):
    old = store_backtest(tmp_path, scorecard="v1", as_of=dt.date(2026, 6, 1))
    new = store_backtest(tmp_path, scorecard="v1", as_of=dt.date(2026, 9, 1))
    other = store_backtest(tmp_path, scorecard="v2", as_of=dt.date(2026, 9, 1))
    shown = latest_backtests()
    assert [r.pk for r in shown] == [other.pk, new.pk]
    assert old.pk not in {r.pk for r in shown}


def test_a_backtest_without_pooled_figures_is_not_kept(tmp_path):
    store_backtest(tmp_path)
    metrics = backtest_metrics(simulated_predictions()).filter(pl.col("cutoff") != "all")
    with pytest.raises(ValueError, match="no pooled row"):
        backtest_record_save(
            as_of=dt.date(2026, 9, 1),
            scorecard_version="v1",
            model_version="lgbm-test",
            plan={},
            metrics=metrics,
            calibration_png=tmp_path / "calibration.png",
            lift_png=tmp_path / "lift.png",
        )


def test_the_portfolio_names_the_clv_model_and_links_the_track_record(client):
    scored_run(IDENTIFIED)
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get("/portfolio/").content.decode()
    assert "Lifetime value: CLV (Pareto/NBD, identified)." in page
    assert 'href="/portfolio/track-record/"' in page


def test_the_portfolio_warns_when_the_clv_fit_is_not_identified(client, settings):
    scored_run(FALLBACK)
    settings.TENURE_KAM_SEES_ALL = True
    client.force_login(make_user(Role.KEY_ACCOUNT_MANAGER))
    page = client.get("/portfolio/").content.decode()
    assert 'class="warning clv-fit" role="alert">CLV fit not identified (' in page
    assert "a at the no-dropout boundary (0.0034)" in page
    assert "CLV uses the fallback BG/NBD MAP" in page
    # Managers read the portfolio but not the track record: no link to a page they cannot open.
    assert "track-record" not in page


def test_clv_fit_labels():
    assert clv_fit_label({}) is None
    assert clv_fit_label({"error": "no repeat buyers"}).text == "CLV not fitted: no repeat buyers"
    plain = clv_fit_label({**IDENTIFIED, "identified": False, "reasons": ["flat likelihood"]})
    assert plain.text == "CLV fit not identified: Pareto/NBD, flat likelihood"
    assert not plain.identified
    assert clv_fit_label(IDENTIFIED).identified


@pytest.mark.slow
def test_tenure_backtest_keeps_its_results_for_the_page(settings, tmp_path, monkeypatch, client):
    settings.HOME = tmp_path
    lines = one_year_lines(accounts=120)
    for key in lines["account_key"].unique().sort():
        AccountFactory(external_id=key)
    con = ledger_connection(lines)
    monkeypatch.setattr(scoring_run_module.store, "connect", lambda _url=None, **_options: con)

    call_command("backtest", out=tmp_path / "reports")
    record = BacktestRecord.objects.get()
    written = pl.read_csv(tmp_path / "reports" / "backtest.csv").filter(pl.col("cutoff") == "all")
    assert len(record.metrics) == written.height
    assert record.scorecard_version == health_scorecard_current()[1].version
    assert record.model_version == risk_model_label()
    assert record.as_of == END
    assert record.plan["horizon_days"] == 120
    assert bytes(record.lift_png) == (tmp_path / "reports" / "lift.png").read_bytes()
    client.force_login(make_user(Role.ANALYST))
    page = client.get("/portfolio/track-record/").content.decode()
    model = next(r for r in record.metrics if (r["outcome"], r["score"]) == ("no_order", "model"))
    assert f"{model['roc_auc']:.3f}" in page
    assert "No backtest was run yet" not in page
