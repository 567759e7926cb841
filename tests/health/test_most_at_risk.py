"""Accounts at risk (the director's home, the portfolio): the latest risk decides, not any."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.health.models import AccountHealth
from tenure.health.selectors import most_at_risk
from tenure.scoring.models import ScoringRun
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.django_db
EARLIER, LATER = dt.date(2026, 5, 31), dt.date(2026, 6, 30)


def _health(account, as_of, risk, clv=10_000):
    run = ScoringRun.objects.get_or_create(as_of=as_of, defaults={"status": "done"})[0]
    AccountHealth.objects.create(run=run, account=account, as_of=as_of, risk=risk, clv=Decimal(clv))


def test_only_the_latest_risk_over_the_line_counts_most_value_at_risk_first():
    recovered = AccountFactory(name="Recovered")
    _health(recovered, EARLIER, 0.5)
    _health(recovered, LATER, 0.1)  # was at risk, is no longer
    slipping = AccountFactory(name="Slipping")
    _health(slipping, EARLIER, 0.1)
    _health(slipping, LATER, 0.3, clv=10_000)
    bigger = AccountFactory(name="Bigger")
    _health(bigger, LATER, 0.25, clv=40_000)
    gone = AccountFactory(name="Gone", status="churned")
    _health(gone, LATER, 0.9)
    assert [a.name for a in most_at_risk(threshold=0.2, limit=10)] == ["Bigger", "Slipping"]
    assert [a.name for a in most_at_risk(threshold=0.2, limit=1)] == ["Bigger"]
