"""The growth backtest on a demo portfolio: suggestions beat popularity."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_suggestions_beat_the_popularity_baseline_on_the_demo(settings, tmp_path):
    settings.HOME = tmp_path
    settings.LEDGER_URL = f"duckdb://{tmp_path / 'ledger.duckdb'}"
    # The backtest reads the ledger, not the scoring history: one run, as before.
    call_command(
        "demo",
        accounts=300,
        seed=7,
        no_serve=True,
        as_of=dt.date(2026, 10, 31),
        history_months=1,
        stdout=StringIO(),
    )
    out = StringIO()
    call_command("opportunities", backtest=True, as_of=dt.date(2026, 10, 31), k=[1], stdout=out)
    row = next(line for line in out.getvalue().splitlines() if re.match(r"\s+1\s", line))
    _, accounts, precision, _, baseline, _ = row.split()
    assert int(accounts.replace(",", "")) > 20
    assert float(precision) > float(baseline) + 0.1
