"""``tenure backtest`` and ``tenure score`` on a one-year ledger with the default settings.

A seeded synthetic portfolio: 300 accounts ordering every 7, 14 or 30 days from the start
of the year; half stop on a random day. With one year of data the defaults (180-day
horizon, 180 days of history, four folds) cannot fit: both commands must choose what the
ledger allows, say so, and run.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from django.core.management import call_command

from tenure.health.models import AccountHealth, HealthScorecard
from tenure.health.scorecard_drafts import health_scorecard_adopt, health_scorecard_draft
from tenure.health.services import health_scorecard_current
from tenure.scoring import run as scoring_run_module
from tests.accounts.factories import AccountFactory
from tests.scoring.health_ledger import every, ledger_connection, order_lines

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 7, 1), dt.date(2026, 6, 30)


def one_year_lines(accounts: int = 300, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(accounts):
        interval = int(rng.choice([7, 14, 30]))
        first = START + dt.timedelta(days=int(rng.integers(0, 20)))
        stop = END
        if rng.random() < 0.5:
            stop = START + dt.timedelta(days=int(rng.integers(60, 365)))
        amount = float(rng.lognormal(6, 1))
        rows += [(f"K{i:03d}", day, amount) for day in every(interval, first, stop)]
    return order_lines(rows)


@pytest.fixture
def one_year(settings, tmp_path, monkeypatch):
    settings.HOME = tmp_path
    lines = one_year_lines()
    for key in lines["account_key"].unique().sort():
        AccountFactory(external_id=key)
    con = ledger_connection(lines)
    connect = lambda _url=None, **_options: con  # noqa: E731
    monkeypatch.setattr(scoring_run_module.store, "connect", connect)
    monkeypatch.setattr("tenure.health.management.commands.backtest.store.connect", connect)
    return tmp_path


@pytest.mark.slow
def test_backtest_of_one_year_chooses_its_plan_and_reports_both_labels_and_four_scores(
    one_year, capsys
) -> None:
    call_command("backtest", out=one_year / "reports")
    printed = capsys.readouterr().out
    assert "horizon 120 days" in printed
    assert "chose 1 fold(s) instead of 4" in printed
    assert "chose a 120-day horizon instead of 180" in printed
    assert "chose 90 days of minimum history instead of 180" in printed
    metrics = pl.read_csv(one_year / "reports" / "backtest.csv")
    assert metrics.columns[:3] == ["cutoff", "outcome", "score"]
    pooled = metrics.filter(pl.col("cutoff") == "all")
    assert set(pooled["outcome"]) == {"definition", "no_order"}
    for outcome in ("definition", "no_order"):
        scores = pooled.filter(pl.col("outcome") == outcome)
        assert sorted(scores["score"]) == ["health", "logistic", "model", "recency"]
        # Accounts that stop stop for good here: every score ranks them above chance.
        assert scores["roc_auc"].min() > 0.6
    # The standard label covers the year's buyers, the definition only those not churned yet.
    n = dict(pooled.group_by("outcome").agg(pl.col("n").first()).iter_rows())
    assert n["no_order"] >= n["definition"]


@pytest.mark.slow
def test_score_on_one_year_trains_with_a_shorter_history_and_says_so(
    one_year,  # noqa: ARG001 (the ledger and accounts)
) -> None:
    run = scoring_run_module.run_scoring(as_of=END, progress=lambda _: None)
    risk = run.parameters["risk"]
    assert "error" not in risk
    assert risk["chose"] == ["90 days of minimum history instead of 180"]
    assert risk["horizon_days"] == 180
    assert AccountHealth.objects.filter(as_of=END).exclude(risk=None).count() > 100


@pytest.mark.slow
def test_suggested_weights_are_stored_as_a_draft_a_director_adopts(one_year, capsys) -> None:
    active, _ = health_scorecard_current()
    call_command("backtest", out=one_year / "reports", suggest_weights=True, draft="health-learnt")
    printed = capsys.readouterr().out
    assert "Suggested health weights" in printed
    assert "in sample: one fold only" in printed
    draft = HealthScorecard.objects.get(version="health-learnt")
    assert not draft.is_active
    assert "ROC-AUC" in draft.note
    assert HealthScorecard.objects.get(is_active=True).pk == active.pk
    adopted = health_scorecard_adopt("health-learnt")
    assert adopted.is_active
    assert HealthScorecard.objects.filter(is_active=True).get().version == "health-learnt"
    _, card = health_scorecard_current()
    assert card.version == "health-learnt"


def test_a_draft_version_is_refused_when_it_exists_or_is_not_a_scorecard(
    one_year,  # noqa: ARG001 (a settings home)
) -> None:
    from tenure.core.errors import DomainError

    active, _ = health_scorecard_current()
    with pytest.raises(DomainError, match="exists"):
        health_scorecard_draft(definition=active.definition, version=active.version)
    with pytest.raises(DomainError, match="not valid"):
        health_scorecard_draft(definition={"groups": []}, version="broken")
    with pytest.raises(DomainError, match="no health scorecard version"):
        health_scorecard_adopt("missing")


def test_the_minimum_history_is_a_setting_the_plan_starts_from(settings) -> None:
    from tenure.health.engagement_features import load_crm_events
    from tenure.health.history_plan import training_plan
    from tenure.health.point_in_time import History
    from tenure.insights.risk import DEFAULT_CHURN
    from tests.scoring.health_ledger import ledger

    history = History(ledger(one_year_lines(accounts=5)), load_crm_events())
    settings.TENURE_RISK_MIN_HISTORY_DAYS = 120
    plan, definition = training_plan(history, as_of=END, definition=DEFAULT_CHURN)
    assert (plan.min_history_days, definition.horizon_days, plan.notes) == (120, 180, ())
    settings.TENURE_RISK_MIN_HISTORY_DAYS = 300
    plan, _ = training_plan(history, as_of=END, definition=DEFAULT_CHURN)
    assert plan.notes == ("90 days of minimum history instead of 300",)
