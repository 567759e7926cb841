"""``tenure score`` with a ledger (CLV, risk) and ``tenure backtest`` on a demo portfolio.

The demo generator records why and when each account churned (``ground_truth.csv``), so the
backtest is checked against a simulator's known truth as well as against the churn
definition.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.management import call_command

from tenure.demo.load import load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.health.models import AccountHealth
from tenure.health.selectors import what_if_contact_left
from tenure.health.services import risk_model_path
from tenure.scoring import run as scoring_run_module
from tenure.scoring.selectors import account_latest_snapshot
from tests.accounts.factories import AccountFactory
from tests.scoring.health_ledger import every, ledger_connection, order_lines

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path
    return tmp_path


def use_ledger(monkeypatch, lines: pl.DataFrame) -> None:
    con = ledger_connection(lines)
    monkeypatch.setattr(scoring_run_module.store, "connect", lambda _url=None, **_options: con)


@pytest.mark.usefixtures("home")
def test_score_with_a_ledger_fits_clv_and_says_why_there_is_no_risk_model(monkeypatch) -> None:
    AccountFactory(external_id="K1")
    AccountFactory(external_id="K2")
    start = dt.date(2025, 11, 1)
    lines = order_lines(
        [("K1", d, 120.0 + d.day) for d in every(9, start, AS_OF)]
        + [("K2", d, 80.0 + d.day) for d in every(21, start, AS_OF)]
    )
    use_ledger(monkeypatch, lines)
    run = scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    k1 = AccountHealth.objects.get(account__external_id="K1")
    assert k1.clv is not None
    assert k1.clv > 0
    assert k1.clv_months == 12
    assert 0 < k1.probability_alive <= 1
    assert k1.expected_orders > 0
    assert "probability_alive" not in k1.health_flags
    # Eight months of history: the run shortens horizon and history to fit, and says so;
    # two accounts that both keep buying still give nothing to learn churn from.
    assert k1.risk is None
    assert "a 90-day horizon instead of 180" in " ".join(run.parameters["risk"]["chose"])
    assert "both churned and retained" in run.parameters["risk"]["error"]
    assert run.parameters["clv"]["bgnbd"]["r"] > 0


@pytest.mark.slow
def test_demo_portfolio_score_and_backtest_beat_recency(home, monkeypatch) -> None:
    world = build_world(DemoConfig(accounts=500, seed=11, as_of=AS_OF))
    loaded = load_world(world, home=home, progress=lambda _: None)
    use_ledger(monkeypatch, pl.read_parquet(loaded.order_lines_path))
    monkeypatch.setattr(
        "tenure.health.management.commands.backtest.store.connect",
        scoring_run_module.store.connect,
    )

    scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    scored = AccountHealth.objects.filter(as_of=AS_OF)
    at_risk = scored.exclude(risk=None)
    assert at_risk.count() > 300
    assert risk_model_path().exists()
    top = at_risk.order_by("-risk").first()
    assert top.risk_drivers
    assert all(d["text"] for d in top.risk_drivers)
    assert scored.exclude(clv=None).count() > 300
    # "What if" re-predicts risk with the saved model: losing a decision maker never helps.
    engaged = at_risk.filter(decision_makers_engaged__gte=1).select_related("account").first()
    leaving = engaged.account.positions.filter(buying_role="decision_maker").first().contact
    what_if = what_if_contact_left(
        engaged.account, leaving, snapshot=account_latest_snapshot(account_id=engaged.account.pk)
    )
    assert what_if.risk_before == pytest.approx(engaged.risk, abs=0.05)
    assert what_if.health_after <= what_if.health_before

    out = home / "reports"
    call_command("backtest", folds=2, every=90, cutoffs=12, out=out, truth=loaded.truth_path)
    assert (out / "calibration.png").stat().st_size > 10_000
    assert (out / "lift.png").stat().st_size > 10_000
    metrics = pl.read_csv(out / "backtest.csv").filter(pl.col("cutoff") == "all")

    def auc(outcome: str, score: str) -> float:
        row = metrics.filter((pl.col("outcome") == outcome) & (pl.col("score") == score))
        return float(row["roc_auc"][0])

    for outcome in ("definition", "ground truth"):
        assert auc(outcome, "model") > auc(outcome, "recency") + 0.05
