"""My accounts: one ranked list, by urgency until health is scored, then by value at risk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.health.models import AccountHealth
from tenure.planning.models import Action
from tenure.scoring.models import ScoringRun
from tenure.web.my_accounts import ranked_accounts
from tests.accounts.factories import AccountFactory, TeamMembershipFactory, UserFactory
from tests.planning.factories import AccountPlanFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def _mine(manager, name):
    account = AccountFactory(name=name, is_key_account=True)
    TeamMembershipFactory(account=account, user=manager, role="kam")
    return account


@pytest.fixture
def three():
    manager = UserFactory()
    late = _mine(manager, "Late")
    plan = AccountPlanFactory(
        account=late, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    Action.objects.create(plan=plan, title="x", owner=manager, due_on=TODAY - dt.timedelta(days=1))
    return manager, late, _mine(manager, "Big"), _mine(manager, "Small")


def test_before_any_health_is_scored_the_overdue_account_comes_first(three):
    manager, *_ = three
    ranked, scored = ranked_accounts(user=manager, today=TODAY)
    assert not scored
    assert next(a.name for a in ranked) == "Late"
    assert all(a.value_at_risk is None for a in ranked)


def test_once_scored_the_most_value_at_risk_comes_first_and_unscored_last(three):
    manager, _late, big, small = three
    run = ScoringRun.objects.create(as_of=TODAY, status="done")
    # 0.5 × 1,000 = 500 at risk against 0.9 × 100 = 90: value, not risk alone, ranks.
    AccountHealth.objects.create(run=run, account=big, as_of=TODAY, risk=0.5, clv=Decimal(1000))
    AccountHealth.objects.create(run=run, account=small, as_of=TODAY, risk=0.9, clv=Decimal(100))
    ranked, scored = ranked_accounts(user=manager, today=TODAY)
    assert scored
    rows = list(ranked)
    assert [a.name for a in rows] == ["Big", "Small", "Late"]
    assert rows[0].value_at_risk == pytest.approx(500.0)
    assert rows[2].overdue_actions == 1
