"""The scoring run's CLV fit: chosen with identification checks, kept on the run, printed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from tenure.insights.clv.model_choice import BGNBD_MAP
from tenure.scoring import run as scoring_run_module
from tenure.scoring.clv_fit_record import clv_fit_described
from tenure.scoring.models import ScoringRun
from tests.accounts.factories import AccountFactory
from tests.scoring.health_ledger import every, ledger_connection, order_lines

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path
    return tmp_path


@pytest.mark.usefixtures("home")
def test_score_of_two_buyers_names_the_fallback_and_why(monkeypatch, capsys) -> None:
    AccountFactory(external_id="K1")
    AccountFactory(external_id="K2")
    start = dt.date(2025, 11, 1)
    lines = order_lines(
        [("K1", d, 120.0 + d.day) for d in every(9, start, AS_OF)]
        + [("K2", d, 80.0 + d.day) for d in every(21, start, AS_OF)]
    )
    con = ledger_connection(lines)
    monkeypatch.setattr(scoring_run_module.store, "connect", lambda _url=None, **_options: con)

    call_command("score", "--as-of", AS_OF.isoformat())

    run = ScoringRun.objects.get(as_of=AS_OF)
    fit = run.clv_fit
    # Two repeat buyers cannot tell dropout from slow buying: not identified, fallback used.
    assert fit["model"] == BGNBD_MAP
    assert fit["fallback"] is True
    assert fit["identified"] is False
    assert any("only 2 customers with a repeat purchase" in r for r in fit["reasons"])
    assert set(fit["params"]) == {"r", "alpha", "a", "b"}
    assert set(fit["tried"]) == {"BG/NBD", "Pareto/NBD", BGNBD_MAP}
    out = capsys.readouterr().out
    assert f"CLV model: {BGNBD_MAP}, NOT identified" in out
    assert "fallback used because the maximum-likelihood fits are not identified" in out


def test_identified_fit_reads_as_identified_with_standard_errors() -> None:
    line = clv_fit_described(
        {
            "model": "BG/NBD",
            "fallback": False,
            "identified": True,
            "reasons": [],
            "params": {"r": 0.2426, "alpha": 4.414},
            "standard_errors": {"r": 0.0126, "alpha": 0.378},
        }
    )

    assert line == "CLV model: BG/NBD, identified; r 0.2426 (SE 0.013), alpha 4.414 (SE 0.38)"


def test_run_without_a_fit_says_why() -> None:
    assert clv_fit_described({"error": "no account with a repeat purchase day"}) == (
        "CLV: not fitted (no account with a repeat purchase day)"
    )
