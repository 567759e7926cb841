"""A small one-year retail log, end to end with the default settings (issue 17, item 3).

The log comes from ``benchmarks/retail_year.py`` (seeded), shaped like the public one-year
retail log of the issue (long-lived majority, many one-time buyers, one year only), at 300
customers. It is imported with the documented UCI command line, then ``tenure score``,
``tenure backtest`` and ``tenure clv --report`` run with their defaults: none may refuse, the
CLV fit must be flagged when the maximum-likelihood fit sits at the no-dropout boundary,
and every account with a CLV must have its interval.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from tenure.health.clv_note import clv_fit_note
from tenure.health.models import AccountHealth
from tenure.scoring.models import ScoringRun
from tests.ledger.test_command import uci_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

_SCRIPT = Path(__file__).parents[2] / "benchmarks" / "retail_year.py"
_spec = importlib.util.spec_from_file_location("retail_year", _SCRIPT)
assert _spec is not None
assert _spec.loader is not None
retail_year = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(retail_year)

import_command = importlib.import_module("tenure.ledger.management.commands.import")


def test_a_small_retail_year_runs_end_to_end_with_defaults(settings, tmp_path, capsys) -> None:
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    path = tmp_path / "online_retail.csv"
    retail_year.generate(300).write_csv(path)

    call_command(import_command.Command(), *uci_command(path))
    call_command("score", "--as-of", retail_year.END.isoformat())
    call_command("backtest", out=tmp_path / "reports")
    capsys.readouterr()
    call_command("clv", json=True)
    report = json.loads(capsys.readouterr().out)

    run = ScoringRun.objects.get(as_of=retail_year.END)
    fit = run.clv_fit
    assert "model" in fit, fit
    # Flagged at the boundary: a maximum-likelihood fit that ran to "nobody leaves" is never
    # the one in use, and the run says what it used instead.
    for name, about in fit["tried"].items():
        if any("no-dropout boundary" in reason for reason in about["reasons"]):
            assert not about["identified"]
            assert fit["model"] != name
    if fit["fallback"]:
        assert clv_fit_note(fit) is not None
    # The holdout report ran on the installation's ledger and names a model and its checks.
    assert 0 < report["customers"] <= 300  # those first seen in the calibration period
    assert report["fit"]["model"]
    assert "model_beats_naive" in report["holdout"]
    # Intervals: every account with a CLV has one around it.
    rows = AccountHealth.objects.filter(as_of=retail_year.END).exclude(clv=None)
    assert rows.count() > 250
    assert not rows.filter(clv_low=None).exists()
    for row in rows:
        assert row.clv_low <= row.clv + Decimal("0.01")
        assert row.clv - Decimal("0.01") <= row.clv_high
        assert row.probability_alive_low <= row.probability_alive + 1e-6
        assert row.probability_alive - 1e-6 <= row.probability_alive_high
    assert (tmp_path / "reports" / "backtest.csv").is_file()
