"""Health from day one: a demo whose CRM holds only accounts (and the ledger its orders).

Interactions, stakeholder positions and surveys are deleted after loading, as in a new
installation. Every account that has bought must still get a health score, carried by the
revenue measures and marked as such, and that score must rank churners clearly better
than chance in the backtest (issue 17 item 8: ROC-AUC of at least 0.70).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.management import call_command

from tenure.demo.load import load_world
from tenure.demo.world import DemoConfig, build_world
from tenure.health.models import AccountHealth
from tenure.health.selectors import account_health_panel
from tenure.scoring import run as scoring_run_module
from tests.scoring.health_ledger import ledger_connection
from tests.scoring.ledger_only import empty_crm

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
AS_OF = dt.date(2026, 6, 30)


def test_a_ledger_only_portfolio_gets_revenue_carried_health_that_ranks_churners(
    settings, tmp_path, monkeypatch, capsys
) -> None:
    settings.HOME = tmp_path
    world = build_world(DemoConfig(accounts=500, seed=11, as_of=AS_OF))
    loaded = load_world(world, home=tmp_path, progress=lambda _: None)
    deleted = empty_crm()
    assert deleted["Interaction"] > 0
    assert deleted["Position"] > 0
    con = ledger_connection(pl.read_parquet(loaded.order_lines_path))
    connect = lambda _url=None, **_options: con  # noqa: E731
    monkeypatch.setattr(scoring_run_module.store, "connect", connect)
    monkeypatch.setattr("tenure.health.management.commands.backtest.store.connect", connect)

    scoring_run_module.run_scoring(as_of=AS_OF, progress=lambda _: None)
    rows = AccountHealth.objects.filter(as_of=AS_OF)
    bought = rows.exclude(probability_alive=None)
    scored = bought.exclude(health_score=None)
    assert scored.count() == bought.count() > 400
    # Revenue is 35 % of the weight; recorded issues (not deleted) add the open-issues 6 %.
    assert max(scored.values_list("health_coverage", flat=True)) <= 0.41 + 1e-9
    carried = scored.filter(health_coverage__lt=0.4)
    assert carried.exists()
    panel = account_health_panel(carried.first().account_id)
    assert panel.basis == (
        "based on revenue only: log interactions and map stakeholders to complete it"
    )
    full = scored.filter(health_coverage__gte=0.4).first()
    assert account_health_panel(full.account_id).basis is None

    call_command("backtest", folds=2, cutoffs=12, out=tmp_path / "reports")
    metrics = pl.read_csv(tmp_path / "reports" / "backtest.csv").filter(
        (pl.col("cutoff") == "all") & (pl.col("score") == "health")
    )
    auc = dict(metrics.select("outcome", "roc_auc").iter_rows())
    with capsys.disabled():
        print(f"\nledger-only health ROC-AUC: {auc}")
    assert auc["definition"] >= 0.70
